import Fluent
import Vapor

/// Browser sessions: the same tokens as the API's, carried in an HttpOnly, SameSite=Strict cookie. Requests that
/// change state must also carry the CSRF token in `X-CSRF-Token`; it is derived from the session token, which a
/// page on another site can neither read nor guess.
enum CookieSession {
    static let cookieName = "pingyi_session"
    static let csrfHeader = "X-CSRF-Token"

    static func csrfToken(for sessionToken: String) -> String {
        sha256Hex("pingyi-csrf:" + sessionToken)
    }

    static func cookie(_ token: String, secure: Bool, expires: Date?) -> HTTPCookies.Value {
        HTTPCookies.Value(string: token, expires: expires, maxAge: nil, path: "/", isSecure: secure, isHTTPOnly: true,
                          sameSite: .strict)
    }

    /// Secure cookies when the client reached us over TLS (directly or through a trusted proxy that says so).
    static func isSecure(_ req: Request) -> Bool {
        ClientAddress.cameOverTLS(req)
    }
}

/// The session token of a cookie-authenticated request.
struct CookieSessionKey: StorageKey {
    typealias Value = String
}

/// Logs in the user of a valid session cookie (when no bearer token did already).
struct CookieSessionAuthenticator: AsyncRequestAuthenticator {
    func authenticate(request: Request) async throws {
        guard !request.auth.has(User.self), let token = request.cookies[CookieSession.cookieName]?.string,
              !token.isEmpty, token.count <= 256 else { return }
        guard let stored = try await UserToken.query(on: request.db)
            .filter(\.$tokenHash == Tokens.hash(token))
            .with(\.$user)
            .first(),
            stored.expiresAt > Date()
        else { return }
        request.auth.login(stored.user)
        request.storage[CookieSessionKey.self] = token
    }
}

/// Refuses a state-changing request authenticated by cookie without the matching CSRF token.
struct CSRFGuard: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if ![.GET, .HEAD, .OPTIONS].contains(request.method), let token = request.storage[CookieSessionKey.self] {
            let sent = request.headers.first(name: CookieSession.csrfHeader) ?? ""
            guard sent == CookieSession.csrfToken(for: token) else {
                throw APIError(.forbidden, "csrf", "页面已过期或来源不明，请刷新页面后重试")
            }
        }
        return try await next.respond(to: request)
    }
}

extension RoutesBuilder {
    /// `/api/v1` with bearer-token or cookie authentication, the CSRF guard and each route's declared access `Policy`.
    func apiV1() -> any RoutesBuilder {
        grouped("api", "v1").grouped(BearerTokenAuthenticator(), CookieSessionAuthenticator(), CSRFGuard(), PolicyMiddleware())
    }
}
