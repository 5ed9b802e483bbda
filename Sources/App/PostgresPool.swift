/// How many PostgreSQL connections one instance opens. Fluent's default is one per event loop: two on a 2-core machine,
/// so one seal's transaction held half of an instance's requests for seconds, and every query of the live screens and
/// the ballot box queued behind the others (issue 25).
enum PostgresPool {
    /// Connections per instance when `PINGYI_DATABASE_CONNECTIONS` does not say: several instances × 16 stay below
    /// PostgreSQL's default `max_connections` (100).
    static let defaultConnections = 16
    static let allowed = 2...500

    /// The per-instance total from the environment's text: the default when absent, out of range or not a number.
    static func connections(_ text: String?) -> Int {
        guard let text, let value = Int(text.trimmingCharacters(in: .whitespaces)), allowed.contains(value) else {
            return defaultConnections
        }
        return value
    }

    /// Fluent keeps a pool per event loop: the total shared out, at least two per loop, so a long transaction on one
    /// connection (a seal, a count) never leaves a loop's requests without one.
    static func perEventLoop(total: Int, eventLoops: Int) -> Int {
        max(2, (total + max(1, eventLoops) - 1) / max(1, eventLoops))
    }
}
