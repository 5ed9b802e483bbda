import Fluent
import Vapor

struct SessionController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("api", "v1")
        api.post("session", use: login)
        let authed = api.grouped(BearerTokenAuthenticator())
        authed.delete("session", use: logout)
        authed.get("me", use: me)
    }

    @Sendable
    func login(req: Request) async throws -> SessionDTO {
        let body = try req.content.decode(LoginRequest.self)
        guard !body.username.isEmpty, body.username.count <= 100, !body.password.isEmpty, body.password.count <= 200 else {
            throw APIError.badRequest("请填写用户名和密码")
        }
        switch try await checkLogin(username: body.username, password: body.password, on: req.db, verifier: req.password.async) {
        case .success(let user):
            let issued = try await issueToken(for: user, on: req.db)
            return SessionDTO(token: issued.token, expiresAt: issued.expiresAt, user: try UserDTO(user))
        case .wrongCredentials:
            throw APIError(.unauthorized, "wrong_credentials", "用户名或密码错误")
        case .locked:
            throw APIError(.tooManyRequests, "locked", "登录失败次数过多，账号已暂时锁定，请 15 分钟后再试")
        }
    }

    @Sendable
    func logout(req: Request) async throws -> HTTPStatus {
        _ = try req.requireUser()
        if let bearer = req.headers.bearerAuthorization {
            try await UserToken.query(on: req.db).filter(\.$tokenHash == Tokens.hash(bearer.token)).delete()
        }
        return .noContent
    }

    @Sendable
    func me(req: Request) async throws -> UserDTO {
        try UserDTO(req.requireUser())
    }
}
