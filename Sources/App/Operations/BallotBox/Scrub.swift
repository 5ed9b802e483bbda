import Fluent
import Foundation
import SQLKit

/// At the seal, a round's codes, ballots and receipts are written again in one transaction, each table in an order
/// taken from content alone, and the files are then rid of the earlier versions. Until then the write-ahead log
/// (SQLite), the order of cells in a page, and PostgreSQL's `xmin` keep each vote's code, ballot and receipt together
/// and in arrival order; afterwards nothing in the database or a copy of its files does (README, Anonymity).
enum BallotScrub {
    /// In the seal's transaction: every row of the round deleted and inserted again, sorted by content, ballots under
    /// fresh random ids handed out in that same order. SQLite zeroes what it deletes (`secure_delete`, set by
    /// `writeTransaction`); PostgreSQL empties the round's own partitions into new files (`BallotPartitions`).
    static func rewrite(roundID: UUID, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        if sql.dialect.name == "sqlite" { return try await rewriteInSQLite(roundID: roundID, on: sql) }
        let partitioned = BallotPartitions.applies(to: db)
        if partitioned { try await BallotPartitions.create(round: roundID, on: db) }

        struct CodeRow: Decodable { var id: UUID; var rater_group_id: UUID; var code_hash: String; var used: Bool; var submission_hash: String? }
        let codes = try await sql.select().columns("id", "rater_group_id", "code_hash", "used", "submission_hash")
            .from(BallotCode.schema).where("round_id", .equal, roundID).all(decoding: CodeRow.self)
            .sorted { $0.code_hash < $1.code_hash }
        struct BallotRow: Decodable { var rater_group_id: UUID; var medium: String; var is_void: Bool; var marks: String }
        let ballots = try await sql.select().columns("rater_group_id", "medium", "is_void", "marks")
            .from(Ballot.schema).where("round_id", .equal, roundID).all(decoding: BallotRow.self)
            .sorted { ($0.rater_group_id.uuidString, $0.medium, $0.is_void ? 1 : 0, $0.marks)
                < ($1.rater_group_id.uuidString, $1.medium, $1.is_void ? 1 : 0, $1.marks) }
        struct ReceiptRow: Decodable { var receipt: String }
        let receipts = try await sql.select().column("receipt").from(BallotReceipt.schema).where("round_id", .equal, roundID)
            .all(decoding: ReceiptRow.self).map(\.receipt).sorted()
        if partitioned {
            try await BallotPartitions.empty(round: roundID, on: db)
        } else {
            for table in ballotTables { try await sql.delete(from: table).where("round_id", .equal, roundID).run() }
        }
        try await insert(into: BallotCode.schema, ["id", "round_id", "rater_group_id", "code_hash", "used", "submission_hash"],
                         codes.map { [SQLBind($0.id), SQLBind(roundID), SQLBind($0.rater_group_id), SQLBind($0.code_hash),
                                      SQLBind($0.used), SQLBind($0.submission_hash)] }, on: sql)

        let ids = (0..<ballots.count).map { _ in UUID() }.sorted { $0.uuidString < $1.uuidString }
        try await insert(into: Ballot.schema, ["id", "round_id", "rater_group_id", "medium", "is_void", "marks"],
                         zip(ids, ballots).map { id, row in
                             [SQLBind(id), SQLBind(roundID), SQLBind(row.rater_group_id), SQLBind(row.medium), SQLBind(row.is_void), SQLBind(row.marks)]
                         }, on: sql)

        try await insert(into: BallotReceipt.schema, ["receipt", "round_id"], receipts.map { [SQLBind($0), SQLBind(roundID)] }, on: sql)
    }

    /// SQLite: the same rewrite without a round trip per row (the seal holds every other writer back meanwhile, issue
    /// 25): the round's rows copied into in-memory temporary tables, deleted, and inserted again from them in the same
    /// content order as above (text ids and BINARY collation order as Swift's string comparison of the same values).
    private static func rewriteInSQLite(roundID: UUID, on sql: any SQLDatabase) async throws {
        // Temporary tables in memory, never in a temporary file that would keep the arrival order on disk.
        try await sql.raw("PRAGMA temp_store = MEMORY").run()
        let tables: [(table: String, columns: String, order: String)] = [
            (BallotCode.schema, "id, round_id, rater_group_id, code_hash, used, submission_hash", "code_hash"),
            (Ballot.schema, "id, round_id, rater_group_id, medium, is_void, marks", "rater_group_id, medium, is_void, marks"),
            (BallotReceipt.schema, "receipt, round_id", "receipt"),
        ]
        for (table, columns, _) in tables {
            try await sql.raw("DROP TABLE IF EXISTS temp.\(unsafeRaw: "scrub_" + table)").run()
            try await sql.raw("""
                CREATE TEMP TABLE \(unsafeRaw: "scrub_" + table) AS SELECT \(unsafeRaw: columns) FROM \(ident: table) WHERE round_id = \(bind: roundID)
                """).run()
            try await sql.raw("DELETE FROM \(ident: table) WHERE round_id = \(bind: roundID)").run()
        }
        for (table, columns, order) in tables {
            let scrubbed = "temp.scrub_" + table
            if table == Ballot.schema {
                // Fresh random ids, handed out in ascending order along the content order.
                struct Count: Decodable { var n: Int }
                let count = try await sql.raw("SELECT count(*) AS n FROM \(unsafeRaw: scrubbed)").first(decoding: Count.self)?.n ?? 0
                let ids = (0..<count).map { _ in UUID().uuidString }.sorted()
                let idList = String(decoding: try JSONEncoder().encode(ids), as: UTF8.self)
                try await sql.raw("""
                    INSERT INTO \(ident: table) (\(unsafeRaw: columns))
                    SELECT fresh.value, b.round_id, b.rater_group_id, b.medium, b.is_void, b.marks
                    FROM (SELECT row_number() OVER (ORDER BY \(unsafeRaw: order)) - 1 AS n, * FROM \(unsafeRaw: scrubbed)) b
                    JOIN json_each(\(bind: idList)) fresh ON fresh.key = b.n
                    ORDER BY b.n
                    """).run()
            } else {
                try await sql.raw("""
                    INSERT INTO \(ident: table) (\(unsafeRaw: columns)) SELECT \(unsafeRaw: columns) FROM \(unsafeRaw: scrubbed) ORDER BY \(unsafeRaw: order)
                    """).run()
            }
            try await sql.raw("DROP TABLE \(unsafeRaw: scrubbed)").run()
        }
    }

    /// The tables the seal rewrites.
    static let ballotTables = [BallotCode.schema, Ballot.schema, BallotReceipt.schema]
    /// The tables the count erases from: the ballot tables, the tellers' keyed entries (deleted), the pages' machine
    /// readings and the people's checks (blanked).
    static let countedTables = ballotTables + [PaperEntry.schema, PaperScan.schema, PaperScanCheck.schema]

    /// After the commit of a write that erased something from `tables`: on SQLite the write-ahead log is checkpointed
    /// into the main file (where `secure_delete` zeroed the erased bytes) and truncated to nothing; on PostgreSQL the
    /// tables other than the ballot tables (partitioned by round, see `BallotPartitions`), with their TOAST tables, are
    /// rewritten into new files (`VACUUM FULL`), leaving no dead versions.
    static func flush(_ tables: [String] = ballotTables, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        if sql.dialect.name == "sqlite" {
            try await db.exclusively {
                struct Checkpoint: Decodable { var busy: Int }
                // Busy only while another connection reads; the write gate keeps writers out. A few tries suffice.
                for _ in 0..<50 {
                    let result = try await sql.raw("PRAGMA wal_checkpoint(TRUNCATE)").first(decoding: Checkpoint.self)
                    if (result?.busy ?? 0) == 0 { return }
                    try await Task.sleep(for: .milliseconds(20))
                }
                throw APIError(.serviceUnavailable, "database_busy", "数据库繁忙，删除内容后的文件清理未完成，请稍后重试")
            }
        } else {
            // The ballot tables' rounds were rewritten into new files of their own partitions: nothing else to rewrite.
            let shared = tables.filter { !BallotPartitions.tables.contains($0) }
            guard !shared.isEmpty else { return }
            try await waitForOlderTransactions(on: db)
            try await sql.raw("VACUUM FULL \(SQLList(shared.map { SQLIdentifier($0) }))").run()
        }
    }

    /// `VACUUM FULL` copies a deleted version that a transaction begun before the delete may still see (a report being
    /// read, a backup's snapshot, another meeting's write), so on PostgreSQL the rewrite first waits, up to `limit`,
    /// until every transaction older than this moment has ended: then what was erased is dead to everyone.
    static func waitForOlderTransactions(on db: any Database, limit: Duration = .seconds(15)) async throws {
        let sql = db as! any SQLDatabase
        struct Now: Decodable { var t: Date }
        struct Older: Decodable { var n: Int }
        guard let since = try await sql.raw("SELECT clock_timestamp() AS t").first(decoding: Now.self)?.t else { return }
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        var older = 0
        repeat {
            older = try await sql.raw("""
                SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
                AND xact_start < \(bind: since) AND (backend_xmin IS NOT NULL OR backend_xid IS NOT NULL)
                """).first(decoding: Older.self)?.n ?? 0
            if older == 0 { return }
            try await Task.sleep(for: .milliseconds(25))
        } while clock.now < deadline
        db.logger.warning("\(older) older transaction(s) still open after \(limit): erased rows may stay in the files until the next rewrite")
    }

    private static func insert(into table: String, _ columns: [String], _ rows: [[any SQLExpression]], on sql: any SQLDatabase) async throws {
        for start in stride(from: 0, to: rows.count, by: 500) {
            try await sql.insert(into: table).columns(columns).rows(Array(rows[start..<min(start + 500, rows.count)])).run()
        }
    }
}
