import Foundation
import Vapor

/// Slows down clients that keep trying wrong codes: 10 wrong in a minute blocks that address for the rest of it.
actor CodeAttemptLimiter {
    static let window: TimeInterval = 60
    static let maxFailures = 10
    private var failures: [String: [Date]] = [:]

    func fail(_ client: String, at now: Date = Date()) {
        var list = failures[client, default: []].filter { now.timeIntervalSince($0) < Self.window }
        list.append(now)
        failures[client] = list
        if failures.count > 10_000 { failures = failures.filter { !$0.value.isEmpty && now.timeIntervalSince($0.value.last!) < Self.window } }
    }

    /// Seconds to wait, when blocked.
    func blocked(_ client: String, at now: Date = Date()) -> Int? {
        let recent = failures[client, default: []].filter { now.timeIntervalSince($0) < Self.window }
        guard recent.count >= Self.maxFailures, let oldest = recent.first else { return nil }
        return max(1, Int((Self.window - now.timeIntervalSince(oldest)).rounded(.up)))
    }
}

extension Application {
    private struct CodeAttemptKey: StorageKey {
        typealias Value = CodeAttemptLimiter
    }

    var codeAttempts: CodeAttemptLimiter {
        if let limiter = storage[CodeAttemptKey.self] { return limiter }
        let limiter = CodeAttemptLimiter()
        storage[CodeAttemptKey.self] = limiter
        return limiter
    }
}
