import Fluent
import Foundation
import SQLKit

/// A counted round keeps each secretary's figures beside its tally (issue 25: the district overview reads them instead
/// of evaluating every campaign's tally). Rounds counted before get theirs here, from their kept tally.
struct AddRoundStandings: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(RoundStandings.schema)
            .field("round_id", .uuid, .identifier(auto: false), .references(BallotRound.schema, .id, onDelete: .cascade))
            .field("standings", .string, .required)
            .create()
        try await keepStandings(on: database)
    }

    /// Every counted round without kept standings gets them.
    func keepStandings(on database: any Database) async throws {
        try await database.transaction { db in
            let kept = Set(try await CountedStandings.keptRounds(on: db))
            for round in try await BallotRound.query(on: db).filter(\.$state == .counted).all() where !kept.contains(try round.requireID()) {
                guard let campaign = try await Campaign.find(round.$campaign.id, on: db) else { continue }
                let standings = try await CountedStandings.make(campaign, round: round, tally: try await CountedTally.of(round, on: db), on: db)
                try await CountedStandings.keep(standings, of: try round.requireID(), on: db)
            }
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(RoundStandings.schema).delete()
    }
}
