import Fluent
import Foundation
import SQLKit

/// On PostgreSQL each round's codes, ballots and receipts live in partitions of their own (issue 25), so the seal and
/// the count can rewrite one round's rows (a `TRUNCATE` of its partitions: new files, the old ones unlinked at commit)
/// without locking or rewriting another meeting's. SQLite keeps plain tables: one writer, rewritten in place.
enum BallotPartitions {
    /// The partitioned tables, in the order they are created and rewritten.
    static let tables = [BallotCode.schema, Ballot.schema, BallotReceipt.schema]

    static func applies(to db: any Database) -> Bool {
        (db as? any SQLDatabase)?.dialect.name == "postgresql"
    }

    /// A round's partition of `table`: the table's name and the round's id without dashes (at most 48 characters).
    static func partition(of table: String, round roundID: UUID) -> String {
        table + "_" + roundID.uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }

    /// The round's partitions, made as separate tables and then attached: attaching holds the parent only against
    /// other schema changes (`SHARE UPDATE EXCLUSIVE`), never against another meeting's ballots. Idempotent.
    static func create(round roundID: UUID, on db: any Database) async throws {
        guard applies(to: db) else { return }
        let sql = db as! any SQLDatabase
        for table in tables {
            let name = partition(of: table, round: roundID)
            struct Found: Decodable { var attached: Bool }
            let found = try await sql.raw("""
                SELECT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = to_regclass(\(bind: name))) AS attached
                """).first(decoding: Found.self)
            if found?.attached == true { continue }
            try await sql.raw("CREATE TABLE IF NOT EXISTS \(ident: name) (LIKE \(ident: table) INCLUDING DEFAULTS INCLUDING CONSTRAINTS)").run()
            try await sql.raw("""
                ALTER TABLE \(ident: table) ATTACH PARTITION \(ident: name) FOR VALUES IN (\(unsafeRaw: "'" + roundID.uuidString.lowercased() + "'"))
                """).run()
        }
    }

    /// Empties the round's partitions into new files (in the caller's transaction; the old files are unlinked when
    /// it commits). Locks only those partitions, which the round's own lock already keeps writers out of.
    static func empty(round roundID: UUID, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("TRUNCATE \(SQLList(tables.map { SQLIdentifier(partition(of: $0, round: roundID)) }))").run()
    }

    /// Drops the partitions whose round is gone (a campaign deleted). Dropping a partition briefly holds the parent,
    /// so each try waits at most `lockWaitMilliseconds` for it and gives up otherwise: a ballot never waits longer; the
    /// next call drops what is left. Returns how many were dropped.
    @discardableResult
    static func dropOrphans(on db: any Database, lockWaitMilliseconds: Int = 200) async throws -> Int {
        guard applies(to: db) else { return 0 }
        let sql = db as! any SQLDatabase
        struct Orphan: Decodable { var name: String }
        var dropped = 0
        for table in tables {
            let orphans = try await sql.raw("""
                SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = to_regclass(\(bind: table))
                AND NOT EXISTS (SELECT 1 FROM ballot_rounds r WHERE \(bind: table + "_") || replace(r.id::text, '-', '') = c.relname)
                """).all(decoding: Orphan.self)
            for orphan in orphans {
                do {
                    try await db.transaction { db in
                        let sql = db as! any SQLDatabase
                        try await sql.raw("SET LOCAL lock_timeout = \(unsafeRaw: "'\(lockWaitMilliseconds)ms'")").run()
                        try await sql.raw("DROP TABLE IF EXISTS \(ident: orphan.name)").run()
                    }
                    dropped += 1
                } catch {
                    db.logger.info("partition \(orphan.name) not dropped yet (busy): \(String(reflecting: error))")
                }
            }
        }
        return dropped
    }
}
