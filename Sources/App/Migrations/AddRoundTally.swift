import Fluent
import Foundation

/// A counted round keeps its tally (issue 25: results, exports and the district overview read it instead of counting
/// every ballot again). Rounds counted before get theirs here, counted from their ballots as a fresh tally would be.
struct AddRoundTally: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(BallotRound.schema).field("tally", .string).update()
        try await keepTallies(on: database)
    }

    /// Every counted round without a kept tally gets one.
    func keepTallies(on database: any Database) async throws {
        try await database.transaction { db in
            for round in try await BallotRound.query(on: db).filter(\.$state == .counted).filter(\.$storedTally == nil).all() {
                round.storedTally = try jsonText(try await CountedTally.fresh(round, on: db))
                try await round.save(on: db)
            }
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(BallotRound.schema).deleteField("tally").update()
    }
}
