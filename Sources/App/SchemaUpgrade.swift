import Fluent
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SQLKit
import Vapor

/// Brings the schema up to date so that a failing migration leaves the database exactly as it was (issue 26):
/// every pending migration and its `_fluent_migrations` row run in ONE transaction (PostgreSQL and SQLite both roll
/// DDL back), and on a SQLite file a copy is taken first (`PATH.before-migration`) and put back byte for byte on
/// failure: WAL mode is switched on outside any transaction, and a file is what an operator can check.
enum SchemaUpgrade {
    /// The copy beside a SQLite file while its migrations run.
    static func copyPath(of path: String) -> String { path + ".before-migration" }

    /// Runs the pending migrations of `app.migrations` (Fluent's own `Migrator`, on one transaction's database).
    static func migrate(_ app: Application) async throws {
        let sql = app.db as! any SQLDatabase
        if app.databaseLocation.isSQLiteFile { try await switchToWAL(sql) }
        guard case .sqliteFile(let path) = app.databaseLocation, try await hasPending(app), isNonEmptyFile(path) else {
            return try await migrateInOneTransaction(app)
        }
        // The write-ahead log's committed pages go into the file first, so the copy is the whole database.
        try await sql.raw("PRAGMA wal_checkpoint(TRUNCATE)").run()
        let copy = copyPath(of: path)
        let files = FileManager.default
        try? files.removeItem(atPath: copy)
        do {
            try files.copyItem(atPath: path, toPath: copy)
        } catch {
            throw PingyiStartupError.migrationFailed("迁移前无法复制数据库 / cannot copy the database before migrating: \(describeDatabaseError(error))")
        }
        do {
            try await migrateInOneTransaction(app)
        } catch {
            let detail = describeDatabaseError(error)
            // Every pooled connection closed before the file is swapped, so none writes into the copy put back.
            try? await app.threadPool.runIfActive { app.databases.reinitialize() }
            do {
                for suffix in ["-wal", "-shm"] where files.fileExists(atPath: path + suffix) {
                    try files.removeItem(atPath: path + suffix)
                }
                // rename(2): the file is the copy or, if this fails, still the migrated one; never absent.
                guard rename(copy, path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            } catch {
                throw PingyiStartupError.migrationNotUndone(detail, copy)
            }
            throw PingyiStartupError.migrationUndone(detail, "已用迁移前的副本恢复 / the copy taken before migrating was put back")
        }
        try? files.removeItem(atPath: copy)
    }

    /// WAL with synchronous=FULL, before anything else reads the file. Switching needs the file to itself for a
    /// moment: a statement of another pooled connection not yet reset keeps the old mode without an error (a full test
    /// run under load saw it), so the answer is read and the switch tried again, for up to 5 s.
    static func switchToWAL(_ sql: any SQLDatabase) async throws {
        struct Mode: Decodable { var journal_mode: String }
        var mode = ""
        for attempt in 0..<100 {
            mode = try await sql.raw("PRAGMA journal_mode=WAL").first(decoding: Mode.self)?.journal_mode.lowercased() ?? ""
            if mode == "wal" { break }
            if attempt < 99 { try await Task.sleep(for: .milliseconds(50)) }
        }
        guard mode == "wal" else {
            throw PingyiStartupError.migrationFailed("无法把数据库切换到 WAL 日志模式 / could not switch the SQLite file to WAL (\(mode))")
        }
        try await sql.raw("PRAGMA synchronous=FULL").run()
    }

    private static func migrateInOneTransaction(_ app: Application) async throws {
        do {
            try await app.db.transaction { tx in
                let migrator = Migrator(databaseFactory: { _ in tx }, migrations: app.migrations, on: tx.eventLoop,
                                        migrationLogLevel: app.fluent.migrationLogLevel)
                try await migrator.setupIfNeeded().get()
                try await migrator.prepareBatch().get()
            }
        } catch let error as PingyiStartupError {
            throw error
        } catch {
            if app.databaseLocation.isSQLiteFile { throw error }
            throw PingyiStartupError.migrationUndone(describeDatabaseError(error), "已整体回滚 / the one transaction was rolled back")
        }
    }

    /// Whether the database has Pingyi's tables and some registered migration has not run on it.
    static func hasPending(_ app: Application) async throws -> Bool {
        let sql = app.db as! any SQLDatabase
        struct Name: Decodable { var name: String }
        let tables = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_fluent_migrations'")
            .all(decoding: Name.self)
        guard !tables.isEmpty else { return false }
        let migrator = Migrator(databaseFactory: { _ in app.db }, migrations: app.migrations, on: app.eventLoopGroup.any())
        return !(try await migrator.previewPrepareBatch().get()).isEmpty
    }

    private static func isNonEmptyFile(_ path: String) -> Bool {
        let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
        return (size ?? 0) > 0
    }
}

extension DatabaseLocation {
    var isSQLiteFile: Bool {
        if case .sqliteFile = self { return true }
        return false
    }
}
