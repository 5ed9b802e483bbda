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

/// Each secretary's figures of a counted round (`SecretaryStanding`): made from the tally at the count and kept on the
/// round, so the overview reads them instead of evaluating every campaign's tally (issue 25).
enum CountedStandings {
    /// Evaluates `tally` as the result pages do: the campaign's rules, its rater groups in order for the pooling.
    static func make(_ campaign: Campaign, round: BallotRound, tally: Tally, on db: any Database) async throws -> [SecretaryStanding] {
        let groups = try await RaterGroup.query(on: db).filter(\.$campaign.$id == campaign.requireID()).sort(\.$position).all()
        return try CampaignResults(campaign, round: round, tally: tally, groupOrder: groups.compactMap { $0.id?.uuidString })
            .results.map(SecretaryStanding.init)
    }

    /// Kept in the count's transaction (once: the count claims its round).
    static func keep(_ standings: [SecretaryStanding], of roundID: UUID, on db: any Database) async throws {
        try await (db as! any SQLDatabase).insert(into: RoundStandings.schema).columns("round_id", "standings")
            .values(SQLBind(roundID), SQLBind(try jsonText(standings))).run()
    }

    /// The rounds that have standings kept.
    static func keptRounds(on db: any Database) async throws -> [UUID] {
        struct Row: Decodable { var round_id: UUID }
        return try await (db as! any SQLDatabase).select().column("round_id").from(RoundStandings.schema).all(decoding: Row.self).map(\.round_id)
    }

    /// The kept standings as results, `nil` when the round has none kept (then the caller evaluates its tally).
    static func kept(_ text: String?, decoder: JSONDecoder = JSONDecoder()) throws -> [ReporteeResult]? {
        guard let text else { return nil }
        return try decode(text, decoder: decoder)
    }

    /// The same for a round whose standings may have been decoded before in this process (`DecodedTexts.standings`).
    static func kept(_ text: String?, of round: UUID, decoder: JSONDecoder = JSONDecoder()) throws -> [ReporteeResult]? {
        guard let text else { return nil }
        return try DecodedTexts.standings.value(of: round, text: text) { try decode($0, decoder: decoder) }
    }

    static func decode(_ text: String, decoder: JSONDecoder) throws -> [ReporteeResult] {
        try decoder.decode([SecretaryStanding].self, from: Data(text.utf8)).map(\.result)
    }

    /// The kept standings of one round, as results.
    static func kept(roundID: UUID, on db: any Database) async throws -> [ReporteeResult]? {
        struct Row: Decodable { var standings: String }
        return try kept(try await (db as! any SQLDatabase).select().column("standings").from(RoundStandings.schema)
            .where("round_id", .equal, roundID).first(decoding: Row.self)?.standings)
    }
}
