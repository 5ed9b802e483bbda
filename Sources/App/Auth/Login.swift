import Fluent
import Vapor

/// Outcome of checking a username and password.
enum LoginOutcome {
    case success(User)
    case wrongCredentials
}

enum LoginPolicy {
    static let maxFailures = 5
    static let lockDuration: TimeInterval = 15 * 60
}

/// Checks credentials. An unknown name costs the same work as a wrong password, so timing tells nothing.
func checkLogin(username: String, password: String, on db: any Database, verifier: AsyncPasswordHasher) async throws -> LoginOutcome {
    guard let user = try await User.query(on: db).filter(\.$username == username).first() else {
        _ = try? await verifier.hash(password).get()
        return .wrongCredentials
    }
    return try await verifier.verify(password, created: user.passwordHash).get() ? .success(user) : .wrongCredentials
}

/// 登录限速: five failures for one account name from one client address stop that pair for 15 minutes. A stranger
/// elsewhere cannot lock a known account (`admin`) out, and the answer is the same whether the name exists or not.
/// An attempt takes its place before the password is checked, so parallel guesses cannot slip past the count.
actor LoginThrottle {
    struct Key: Hashable {
        var username: String
        var client: String
    }

    private struct Entry {
        var failures: [Date] = []
        var inFlight = 0
    }

    private var entries: [Key: Entry] = [:]

    /// Takes a place for one attempt, or says how many seconds to wait.
    func begin(_ key: Key, now: Date = Date()) -> Int? {
        var entry = entries[key, default: Entry()]
        entry.failures.removeAll { now.timeIntervalSince($0) >= LoginPolicy.lockDuration }
        if entry.failures.count + entry.inFlight >= LoginPolicy.maxFailures {
            entries[key] = entry
            let oldest = entry.failures.first ?? now
            return max(1, Int((LoginPolicy.lockDuration - now.timeIntervalSince(oldest)).rounded(.up)))
        }
        entry.inFlight += 1
        entries[key] = entry
        if entries.count > 50_000 { prune(now) }
        return nil
    }

    func finish(_ key: Key, succeeded: Bool, now: Date = Date()) {
        var entry = entries[key, default: Entry()]
        entry.inFlight = max(0, entry.inFlight - 1)
        if succeeded { entry.failures = [] } else { entry.failures.append(now) }
        entries[key] = entry.failures.isEmpty && entry.inFlight == 0 ? nil : entry
    }

    /// An admin's 解锁: every client may try this account again.
    func clear(username: String) {
        entries = entries.filter { $0.key.username != username.lowercased() }
    }

    private func prune(_ now: Date) {
        entries = entries.filter { $0.value.inFlight > 0 || $0.value.failures.contains { now.timeIntervalSince($0) < LoginPolicy.lockDuration } }
    }
}

extension Application {
    private struct LoginThrottleKey: StorageKey {
        typealias Value = LoginThrottle
    }

    var loginThrottle: LoginThrottle {
        if let throttle = storage[LoginThrottleKey.self] { return throttle }
        let throttle = LoginThrottle()
        storage[LoginThrottleKey.self] = throttle
        return throttle
    }
}

/// Issues a new bearer token for the user and returns it in the clear (the only time it exists so).
func issueToken(for user: User, on db: any Database, now: Date = Date()) async throws -> (token: String, expiresAt: Date) {
    let token = Tokens.generate()
    let expiresAt = now.addingTimeInterval(Tokens.lifetime)
    try await UserToken(userID: user.requireID(), tokenHash: Tokens.hash(token), expiresAt: expiresAt).save(on: db)
    return (token, expiresAt)
}
