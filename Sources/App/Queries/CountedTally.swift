import Fluent
import Foundation
import PingyiCore
import SQLKit

/// The tally of a counted round: the one kept at the count, or for a round counted before tallies were kept, counted
/// afresh from its ballots (read in storage order: the count is integer-only, so order cannot change it).
enum CountedTally {
    static func of(_ round: BallotRound, on db: any Database) async throws -> Tally {
        if let kept = round.storedTally {
            return try JSONDecoder().decode(TallyRecord.self, from: Data(kept.utf8)).tally(layout: round.layout)
        }
        return try await fresh(round, on: db).tally(layout: round.layout)
    }

    /// Counts the round's stored mark strings.
    static func fresh(_ round: BallotRound, on db: any Database) async throws -> TallyRecord {
        struct Row: Decodable {
            var rater_group_id: UUID
            var is_void: Bool
            var marks: String
        }
        let sql = db as! any SQLDatabase
        let rows = try await sql.raw("""
            SELECT "rater_group_id", "is_void", "marks" FROM "ballots" WHERE "round_id" = \(bind: try round.requireID())
            """).all(decoding: Row.self)
        let layout = round.layout
        let tally = try Tally(stored: rows.map { StoredBallot(raterGroup: $0.rater_group_id.uuidString, isVoid: $0.is_void, marks: $0.marks) },
                              layout: layout)
        return TallyRecord(tally, layout: layout)
    }
}
