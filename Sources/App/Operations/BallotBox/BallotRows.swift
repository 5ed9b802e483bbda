import Fluent
import Foundation
import SQLKit

/// A ballot about to enter the box: what its row holds, and nothing else (no time, code, person or session).
struct NewBallot: Sendable {
    var roundID: UUID
    var raterGroupID: UUID
    var medium: BallotMedium
    var isVoid: Bool
    var marks: String
}

/// The one way ballots are written: SQLKit, not a Fluent model, because Fluent logs a model's values at debug level
/// and these are marks; random ids.
func insertBallots(_ ballots: [NewBallot], on db: any Database) async throws {
    guard !ballots.isEmpty else { return }
    try await (db as! any SQLDatabase).insert(into: Ballot.schema)
        .columns("id", "round_id", "rater_group_id", "medium", "is_void", "marks")
        .rows(ballots.map { [SQLBind(UUID()), SQLBind($0.roundID), SQLBind($0.raterGroupID), SQLBind($0.medium.rawValue),
                             SQLBind($0.isVoid), SQLBind($0.marks)] })
        .run()
}
