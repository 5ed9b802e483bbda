import Fluent
import Vapor

/// Bearer tokens: 256 random bits handed out once, kept only as SHA-256 hex.
enum Tokens {
    static let lifetime: TimeInterval = 12 * 3600

    static func generate() -> String {
        Data([UInt8].random(count: 32)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func hash(_ token: String) -> String {
        sha256Hex(token)
    }
}

/// Logs in the user of a valid, unexpired bearer token.
struct BearerTokenAuthenticator: AsyncBearerAuthenticator {
    func authenticate(bearer: BearerAuthorization, for request: Request) async throws {
        guard bearer.token.count <= 256 else { return }
        guard let token = try await UserToken.query(on: request.db)
            .filter(\.$tokenHash == Tokens.hash(bearer.token))
            .with(\.$user)
            .first(),
            token.expiresAt > Date()
        else { return }
        request.auth.login(token.user)
    }
}

extension Request {
    /// The logged-in user, or 401 with a Chinese message.
    func requireUser() throws -> User {
        guard let user = auth.get(User.self) else { throw APIError.unauthorized }
        return user
    }
}
