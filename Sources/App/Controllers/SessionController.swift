import Fluent
import Vapor

struct SessionController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes.apiV1()
        api.post("session", use: login).requiring(.anyone)
        api.delete("session", use: logout).requiring(.account)
        api.get("me", use: me).requiring(.account)
        api.post("me", "password", use: changePassword).requiring(.account)
    }

    /// `mode: "token"` (default) answers a bearer token; `mode: "cookie"` sets the browser session cookie and answers
    /// only the CSRF token, so page scripts never hold the session itself.
    @Sendable
    func login(req: Request) async throws -> SessionDTO {
        let body = try req.content.decode(LoginRequest.self)
        guard !body.username.isEmpty, body.username.count <= 100, !body.password.isEmpty, body.password.count <= 200 else {
            throw APIError.badRequest("请填写用户名和密码")
        }
        let mode = body.mode ?? "token"
        guard mode == "token" || mode == "cookie" else { throw APIError.badRequest("mode 只能是 token 或 cookie") }
        let throttle = req.application.loginThrottle
        let key = LoginThrottle.Key(username: body.username.lowercased(), client: ClientAddress.of(req))
        if let wait = await throttle.begin(key) {
            throw APIError(.tooManyRequests, "locked", "登录失败次数过多，请 \((wait + 59) / 60) 分钟后再试")
        }
        let outcome: LoginOutcome
        do {
            outcome = try await checkLogin(username: body.username, password: body.password, on: req.db, verifier: req.password.async)
        } catch {
            await throttle.finish(key, succeeded: false)
            throw error
        }
        if case .success = outcome { await throttle.finish(key, succeeded: true) } else { await throttle.finish(key, succeeded: false) }
        switch outcome {
        case .success(let user):
            let issued = try await issueToken(for: user, on: req.db)
            if mode == "cookie" {
                req.storage[IssuedCookieKey.self] = CookieSession.cookie(
                    issued.token, secure: CookieSession.isSecure(req), expires: issued.expiresAt)
                return SessionDTO(token: nil, csrfToken: CookieSession.csrfToken(for: issued.token),
                                  expiresAt: issued.expiresAt, user: try UserDTO(user))
            }
            return SessionDTO(token: issued.token, csrfToken: nil, expiresAt: issued.expiresAt, user: try UserDTO(user))
        case .wrongCredentials:
            throw APIError(.unauthorized, "wrong_credentials", "用户名或密码错误")
        }
    }

    @Sendable
    func logout(req: Request) async throws -> Response {
        _ = try req.requireUser()
        let token = req.headers.bearerAuthorization?.token ?? req.storage[CookieSessionKey.self]
        if let token { try await Accounts.endSession(token: token, on: req.db) }
        let response = Response(status: .noContent)
        response.cookies[CookieSession.cookieName] = HTTPCookies.Value(
            string: "", expires: Date(timeIntervalSince1970: 0), path: "/", isHTTPOnly: true, sameSite: .strict)
        return response
    }

    @Sendable
    func me(req: Request) async throws -> MeDTO {
        let actor = try await req.actor()
        return MeDTO(user: try UserDTO(actor.user), csrfToken: req.storage[CookieSessionKey.self].map(CookieSession.csrfToken),
                     may: AccountCapabilities.of(actor))
    }

    /// Changes one's own password; every other session of the account ends.
    @Sendable
    func changePassword(req: Request) async throws -> HTTPStatus {
        let user = try req.requireUser()
        let body = try req.content.decode(PasswordChangeRequest.self)
        guard try await req.password.async.verify(body.currentPassword, created: user.passwordHash).get() else {
            throw APIError(.unprocessableEntity, "wrong_password", "当前密码不正确")
        }
        try validateNewPassword(body.newPassword)
        user.passwordHash = try await req.password.async.hash(body.newPassword).get()
        let current = req.headers.bearerAuthorization?.token ?? req.storage[CookieSessionKey.self]
        try await Accounts.changeOwnPassword(of: user, keepingSession: current, by: try await req.actor(), on: req.db)
        return .noContent
    }
}

/// Passwords: 8 to 200 characters, not all the same character.
func validateNewPassword(_ password: String) throws {
    guard password.count >= 8, password.count <= 200 else { throw APIError(.unprocessableEntity, "weak_password", "新密码长度应为 8 到 200 个字符") }
    guard Set(password).count > 1 else { throw APIError(.unprocessableEntity, "weak_password", "新密码过于简单") }
}

/// The cookie a login handler wants set; `SetIssuedCookie` puts it on the response.
struct IssuedCookieKey: StorageKey {
    typealias Value = HTTPCookies.Value
}

/// Sets the session cookie chosen by the login handler on its response.
struct SetIssuedCookie: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        if let cookie = request.storage[IssuedCookieKey.self] {
            response.cookies[CookieSession.cookieName] = cookie
        }
        return response
    }
}
