import Fluent
import Foundation
import SQLKit
import Vapor

/// Group commit for the ballot box. Ballots that arrive while a commit is in flight wait for the next one and are
/// written together in one transaction: one durable commit (one fsync) for many ballots. Each is acknowledged only
/// after its transaction has committed; a failed batch is retried one ballot at a time, so one bad row cannot take
/// others down with it.
actor BallotWriter {
    struct Job: Sendable {
        var codeID: UUID
        var roundID: UUID
        var raterGroupID: UUID
        var submissionHash: String
        var marks: String
        var receipt: String
    }

    enum Outcome: Sendable {
        /// Committed: the ballot and its receipt are stored, the code is used.
        case stored
        /// The code was already used (or the round closed) when this job's turn came.
        case notClaimed
    }

    private let database: @Sendable () -> any Database
    private var queue: [(Job, CheckedContinuation<Outcome, any Error>)] = []
    private var writing = false
    static let maxBatch = 256

    init(database: @escaping @Sendable () -> any Database) {
        self.database = database
    }

    func write(_ job: Job) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            queue.append((job, continuation))
            if !writing {
                writing = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !queue.isEmpty {
            let batch = Array(queue.prefix(Self.maxBatch))
            queue.removeFirst(batch.count)
            let db = database()
            do {
                let outcomes = try await Self.write(batch.map(\.0), on: db)
                for ((_, continuation), outcome) in zip(batch, outcomes) { continuation.resume(returning: outcome) }
            } catch {
                // Retry alone, so the error reaches only the ballot that caused it.
                for (job, continuation) in batch {
                    do {
                        let outcome = try await Self.write([job], on: db)[0]
                        continuation.resume(returning: outcome)
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
            }
        }
        writing = false
    }

    /// One batch, all or nothing: on PostgreSQL one statement (`claimAndStore`, atomic by itself: one round trip
    /// instead of five, issue 25), on SQLite one write transaction (`apply`).
    static func write(_ jobs: [Job], on db: any Database) async throws -> [Outcome] {
        if (db as? any SQLDatabase)?.dialect.name == "postgresql", !db.inTransaction {
            return try await claimAndStore(jobs, on: db)
        }
        return try await db.writeTransaction { db in try await apply(jobs, on: db) }
    }

    /// Each code's first job in the batch (a code twice in one batch is claimed by its first job only), by code.
    private static func firstJobs(_ jobs: [Job]) -> [UUID: Int] {
        var firstJob: [UUID: Int] = [:]
        for (index, job) in jobs.enumerated() where firstJob[job.codeID] == nil { firstJob[job.codeID] = index }
        return firstJob
    }

    /// The conditional claim both ways share: codes unused and whose round is open get their submission's hash.
    /// PostgreSQL: the round is held against a concurrent seal, which rewrites the round's rows (see BallotScrub); the
    /// rounds named by value keep the update to their own partitions (`BallotPartitions`).
    private static func claim(_ candidates: [Job], dialect: String) -> SQLQueryString {
        var cases = SQLQueryString("CASE \"id\"")
        for job in candidates { cases.appendInterpolation(raw: " WHEN "); cases.appendInterpolation(bind: job.codeID)
            cases.appendInterpolation(raw: " THEN "); cases.appendInterpolation(bind: job.submissionHash) }
        cases.appendInterpolation(raw: " END")
        let ids = SQLList(candidates.map { SQLBind($0.codeID) })
        let rounds = SQLList(Set(candidates.map(\.roundID)).map { SQLBind($0) })
        let roundLock = dialect == "sqlite" ? "" : " FOR SHARE"
        return """
            UPDATE "ballot_codes" SET "used" = \(bind: true), "submission_hash" = \(cases)
            WHERE "id" IN (\(ids)) AND "used" = \(bind: false) AND "round_id" IN (\(rounds))
            AND "round_id" IN (SELECT "id" FROM "ballot_rounds" WHERE "id" IN (\(rounds)) AND "state" = \(bind: "open")\(unsafeRaw: roundLock))
            RETURNING "id"
            """
    }

    /// PostgreSQL, in one statement: the claim, then a ballot (random id) and a receipt for each claimed code, in a
    /// random order, as `apply` does in three.
    static func claimAndStore(_ jobs: [Job], on db: any Database) async throws -> [Outcome] {
        let sql = db as! any SQLDatabase
        let firstJob = firstJobs(jobs)
        let candidates = firstJob.values.sorted().map { jobs[$0] }
        var rows: [SQLQueryString] = []
        for (order, job) in candidates.shuffled().enumerated() {
            rows.append("(\(bind: job.codeID), \(bind: UUID()), \(bind: job.roundID), \(bind: job.raterGroupID), \(bind: job.marks), \(bind: job.receipt), \(bind: order))")
        }
        struct Claimed: Decodable { var id: UUID }
        let claimed = Set(try await sql.raw("""
            WITH "claimed" AS (\(claim(candidates, dialect: sql.dialect.name))),
            "jobs" ("code_id", "ballot_id", "round_id", "rater_group_id", "marks", "receipt", "n") AS (VALUES \(SQLList(rows))),
            "stored" AS (INSERT INTO "ballots" ("id", "round_id", "rater_group_id", "medium", "is_void", "marks")
                SELECT j."ballot_id", j."round_id", j."rater_group_id", \(bind: BallotMedium.electronic.rawValue), \(bind: false), j."marks"
                FROM "jobs" j JOIN "claimed" c ON c."id" = j."code_id" ORDER BY j."n"),
            "receipts" AS (INSERT INTO "ballot_receipts" ("receipt", "round_id")
                SELECT j."receipt", j."round_id" FROM "jobs" j JOIN "claimed" c ON c."id" = j."code_id" ORDER BY j."n")
            SELECT "id" FROM "claimed"
            """).all(decoding: Claimed.self).map(\.id))
        var outcomes = [Outcome](repeating: .notClaimed, count: jobs.count)
        for (codeID, index) in firstJob where claimed.contains(codeID) { outcomes[index] = .stored }
        return outcomes
    }

    /// In one transaction: claims the codes that are unused and whose round is open (one conditional UPDATE), then
    /// stores a ballot and a receipt for each claimed code (one multi-row INSERT each). A code twice in one batch is
    /// claimed by its first job only.
    static func apply(_ jobs: [Job], on db: any Database) async throws -> [Outcome] {
        let sql = db as! any SQLDatabase
        let firstJob = firstJobs(jobs)
        let candidates = firstJob.values.sorted().map { jobs[$0] }
        struct Claimed: Decodable { var id: UUID }
        let claimed = Set(try await sql.raw(claim(candidates, dialect: sql.dialect.name)).all(decoding: Claimed.self).map(\.id))
        var outcomes = [Outcome](repeating: .notClaimed, count: jobs.count)
        var stored: [Job] = []
        for (codeID, index) in firstJob where claimed.contains(codeID) {
            outcomes[index] = .stored
            stored.append(jobs[index])
        }
        guard !stored.isEmpty else { return outcomes }
        // Random ids, and rows in a random order: nothing in the table follows arrival.
        stored.shuffle()
        try await insertBallots(stored.map {
            NewBallot(roundID: $0.roundID, raterGroupID: $0.raterGroupID, medium: .electronic, isVoid: false, marks: $0.marks)
        }, on: db)
        let receiptRows: [[any SQLExpression]] = stored.map { [SQLBind($0.receipt), SQLBind($0.roundID)] }
        try await sql.insert(into: BallotReceipt.schema)
            .columns("receipt", "round_id")
            .rows(receiptRows)
            .run()
        return outcomes
    }
}

extension Application {
    private struct BallotWriterKey: StorageKey {
        typealias Value = BallotWriter
    }

    var ballotWriter: BallotWriter {
        if let writer = storage[BallotWriterKey.self] { return writer }
        let writer = BallotWriter(database: { [unowned self] in self.db })
        storage[BallotWriterKey.self] = writer
        return writer
    }
}
