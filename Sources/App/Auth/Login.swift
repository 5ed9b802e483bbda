import Fluent
import Vapor

/// Outcome of checking a username and password, with lock-out after repeated failures.
enum LoginOutcome {
    case success(User)
    case wrongCredentials
    case locked(until: Date)
}

enum LoginPolicy {
    static let maxFailures = 5
    static let lockDuration: TimeInterval = 15 * 60
}

/// Checks credentials; counts failures on the account and locks it for 15 minutes after 5 in a row.
func checkLogin(username: String, password: String, on db: any Database, verifier: AsyncPasswordHasher, now: Date = Date()) async throws -> LoginOutcome {
    guard let user = try await User.query(on: db).filter(\.$username == username).first() else {
        // Same work as a real check, so timing does not reveal which usernames exist.
        _ = try? await verifier.hash(password).get()
        return .wrongCredentials
    }
    if let until = user.lockedUntil, until > now { return .locked(until: until) }
    if try await verifier.verify(password, created: user.passwordHash).get() {
        if user.failedLogins != 0 || user.lockedUntil != nil {
            user.failedLogins = 0
            user.lockedUntil = nil
            try await user.save(on: db)
        }
        return .success(user)
    }
    user.failedLogins += 1
    if user.failedLogins >= LoginPolicy.maxFailures {
        user.failedLogins = 0
        user.lockedUntil = now.addingTimeInterval(LoginPolicy.lockDuration)
    }
    try await user.save(on: db)
    if let until = user.lockedUntil, until > now { return .locked(until: until) }
    return .wrongCredentials
}

/// Issues a new bearer token for the user and returns it in the clear (the only time it exists so).
func issueToken(for user: User, on db: any Database, now: Date = Date()) async throws -> (token: String, expiresAt: Date) {
    let token = Tokens.generate()
    let expiresAt = now.addingTimeInterval(Tokens.lifetime)
    try await UserToken(userID: user.requireID(), tokenHash: Tokens.hash(token), expiresAt: expiresAt).save(on: db)
    return (token, expiresAt)
}
