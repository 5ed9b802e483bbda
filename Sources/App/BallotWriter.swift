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
                let outcomes = try await db.transaction { db in
                    var outcomes: [Outcome] = []
                    for (job, _) in batch { outcomes.append(try await Self.apply(job, on: db)) }
                    return outcomes
                }
                for ((_, continuation), outcome) in zip(batch, outcomes) { continuation.resume(returning: outcome) }
            } catch {
                // Retry alone, so the error reaches only the ballot that caused it.
                for (job, continuation) in batch {
                    do {
                        let outcome = try await db.transaction { db in try await Self.apply(job, on: db) }
                        continuation.resume(returning: outcome)
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
            }
        }
        writing = false
    }

    /// Marks the code used if it is unused and its round open; only then stores the ballot and the receipt.
    static func apply(_ job: Job, on db: any Database) async throws -> Outcome {
        let sql = db as! any SQLDatabase
        let claimed = try await sql.raw("""
            UPDATE "ballot_codes" SET "used" = \(bind: true), "submission_hash" = \(bind: job.submissionHash)
            WHERE "id" = \(bind: job.codeID) AND "used" = \(bind: false)
            AND EXISTS (SELECT 1 FROM "ballot_rounds" WHERE "id" = \(bind: job.roundID) AND "state" = \(bind: "open"))
            RETURNING "id"
            """).all()
        guard claimed.count == 1 else { return .notClaimed }
        let row = Ballot()
        row.id = UUID()
        row.roundID = job.roundID
        row.raterGroupID = job.raterGroupID
        row.medium = "electronic"
        row.isVoid = false
        row.marks = job.marks
        try await row.create(on: db)
        let receipt = BallotReceipt()
        receipt.id = job.receipt
        receipt.roundID = job.roundID
        try await receipt.create(on: db)
        return .stored
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
