import Vapor

/// At most `width` seals' and counts' (封箱, 计票) transactions run at once in an app, the others wait their turn
/// before theirs. Each holds a database connection and a core for a while: twenty meetings closing together left the
/// other meetings' ballots waiting behind them (issue 25). Two, not one: a seal held up by a lock (a backup's) leaves
/// the other meetings a way through.
actor RoundClosingGate {
    static let width = 2

    private let width: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(width: Int) { self.width = width }

    /// Runs `work` when one of the `width` places is free, first come first served.
    nonisolated func run<T: Sendable>(_ work: @Sendable () async throws -> T) async throws -> T {
        await enter()
        do {
            let value = try await work()
            await leave()
            return value
        } catch {
            await leave()
            throw error
        }
    }

    /// For tests: how many run and how many wait.
    var runningCount: Int { running }
    var waitingCount: Int { waiting.count }

    private func enter() async {
        guard running >= width else { running += 1; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands the place straight to the next in line, so a newcomer cannot overtake those waiting.
    private func leave() {
        if waiting.isEmpty { running -= 1 } else { waiting.removeFirst().resume() }
    }
}

extension Application {
    private struct RoundClosingGateKey: StorageKey {
        typealias Value = RoundClosingGate
    }

    /// This app's seals and counts (`RoundClosingGate`).
    var roundClosings: RoundClosingGate {
        if let gate = storage[RoundClosingGateKey.self] { return gate }
        let gate = RoundClosingGate(width: RoundClosingGate.width)
        storage[RoundClosingGateKey.self] = gate
        return gate
    }
}
