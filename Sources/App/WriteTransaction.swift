import Fluent
import SQLKit

extension Database {
    /// A transaction that writes. On SQLite only one runs at a time in this process: SQLite has a single writer, and
    /// two open write transactions waiting on each other's locks (sqlite-nio retries a busy lock without end, on the
    /// small blocking thread pool) can stall every query. PostgreSQL locks rows itself, so there it is a plain
    /// transaction. Inside a transaction it simply joins it. On SQLite what a write deletes or overwrites is zeroed
    /// in the file (`secure_delete`, a setting of each connection, so set on the one the transaction holds).
    func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard !inTransaction, (self as? any SQLDatabase)?.dialect.name == "sqlite" else {
            return try await transaction(body)
        }
        return try await exclusively {
            try await self.transaction { db in
                _ = try await (db as! any SQLDatabase).raw("PRAGMA secure_delete = ON").all()
                return try await body(db)
            }
        }
    }
}

extension Database {
    /// Runs `body` outside any transaction while no other write transaction of this process runs (SQLite's
    /// checkpoints need the writers out); on PostgreSQL it simply runs.
    func exclusively<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        guard (self as? any SQLDatabase)?.dialect.name == "sqlite" else { return try await body() }
        await SQLiteWriteGate.shared.enter()
        do {
            let value = try await body()
            await SQLiteWriteGate.shared.leave()
            return value
        } catch {
            await SQLiteWriteGate.shared.leave()
            throw error
        }
    }
}

/// First come, first served: one holder, the others wait without holding a thread.
actor SQLiteWriteGate {
    static let shared = SQLiteWriteGate()
    private var held = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func enter() async {
        guard held else { held = true; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty { held = false } else { waiting.removeFirst().resume() }
    }
}
