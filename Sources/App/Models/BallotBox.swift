import Fluent
import Foundation
import PingyiCore

/// 评议轮次: one opening of the ballot box.
final class BallotRound: Model, @unchecked Sendable {
    static let schema = "ballot_rounds"

    @ID(key: .id) var id: UUID?
    @Parent(key: "campaign_id") var campaign: Campaign
    /// 1, 2, …: a void round is kept and the next one gets the next number.
    @Field(key: "number") var number: Int
    @Field(key: "state") var state: BallotRoundState
    /// The cell order of every ballot of this round.
    @Field(key: "layout") var storedLayout: JSONList<CellKey>
    @Field(key: "issued_codes") var issuedCodes: Int
    @Field(key: "issued_sheets") var issuedSheets: Int
    /// Sheets found in the box that were never issued (no or a repeated serial): returned, and void.
    @Field(key: "extra_sheets") var extraSheets: Int
    @Field(key: "opened_at") var openedAt: Date
    @OptionalField(key: "sealed_at") var sealedAt: Date?
    @OptionalField(key: "counted_at") var countedAt: Date?
    /// Paper forms given to each rater group, as JSON (`[PaperFormsDTO]`); `nil` in rounds opened before it existed.
    @OptionalField(key: "sheet_plan") var storedSheetPlan: String?
    var sheetPlan: [PaperFormsDTO] {
        get { storedSheetPlan.flatMap { try? JSONDecoder().decode([PaperFormsDTO].self, from: Data($0.utf8)) } ?? [] }
        set { storedSheetPlan = (try? JSONEncoder().encode(newValue)).map { String(decoding: $0, as: UTF8.self) } }
    }
    /// 清点票数: sheets of each form (layout order) taken out of the box, as JSON; `nil` until the tellers enter them.
    @OptionalField(key: "box_counts") var storedBoxCounts: String?
    var boxCounts: [Int]? {
        storedBoxCounts.flatMap { try? JSONDecoder().decode([Int].self, from: Data($0.utf8)) }
    }
    /// The reconciliation at count, as JSON.
    @OptionalField(key: "reconciliation") var reconciliation: String?
    /// The tally kept at the count (`TallyRecord`, JSON): what results read instead of every ballot again. `nil` before
    /// the count, and in rounds counted before it was kept (those are counted afresh: `CountedTally`).
    @OptionalField(key: "tally") var storedTally: String?

    var layout: BallotLayout {
        get { BallotLayout(cells: storedLayout.items) }
        set { storedLayout = JSONList(newValue.cells) }
    }

    var issued: Int { issuedCodes + issuedSheets }

    /// The reconciliation stored at the count; `nil` before it. A stored value that does not decode is an error.
    func countedReconciliation() throws -> RoundReconciliation? {
        try reconciliation.map { try JSONDecoder().decode(RoundReconciliation.self, from: Data($0.utf8)) }
    }

    init() {}

    init(campaignID: UUID, number: Int, layout: BallotLayout, openedAt: Date) {
        self.$campaign.id = campaignID
        self.number = number
        self.state = .open
        self.storedLayout = JSONList(layout.cells)
        self.issuedCodes = 0
        self.issuedSheets = 0
        self.extraSheets = 0
        self.openedAt = openedAt
    }
}

/// 投票码: only its SHA-256 and the rater group; nothing about who received it, and a used code keeps a boolean.
final class BallotCode: Model, @unchecked Sendable {
    static let schema = "ballot_codes"

    @ID(key: .id) var id: UUID?
    @Field(key: "round_id") var roundID: UUID
    @Field(key: "rater_group_id") var raterGroupID: UUID
    @Field(key: "code_hash") var codeHash: String
    @Field(key: "used") var used: Bool
    /// SHA-256 of the code with the phone's submission id: lets the same phone's retry get its receipt again.
    @OptionalField(key: "submission_hash") var submissionHash: String?

    init() {}

    init(roundID: UUID, raterGroupID: UUID, codeHash: String) {
        self.roundID = roundID
        self.raterGroupID = raterGroupID
        self.codeHash = codeHash
        self.used = false
    }
}

/// A counted round's figures per secretary (`SecretaryStanding`s as JSON), kept at the count beside its tally; a table
/// of its own, so the rounds' model (which earlier migrations read) keeps its columns.
enum RoundStandings {
    static let schema = "round_standings"
}

/// Which round a code belongs to, by its hash: written once at issue (in hash order) and never updated, so a code is
/// looked up in its own round alone (on PostgreSQL, its round's partition; see `BallotPartitions`).
enum BallotCodeRound {
    static let schema = "ballot_code_rounds"
}

/// 选票: a random id, the round, the rater group, the marks. No time, no code, no person, no session.
final class Ballot: Model, @unchecked Sendable {
    static let schema = "ballots"

    @ID(key: .id) var id: UUID?
    @Field(key: "round_id") var roundID: UUID
    @Field(key: "rater_group_id") var raterGroupID: UUID
    /// `electronic` or `paper`.
    @Field(key: "medium") var medium: String
    @Field(key: "is_void") var isVoid: Bool
    /// One symbol per cell in the round's layout (see `BallotLayout`).
    @Field(key: "marks") var marks: String

    init() {}
}

/// 回执码: proves a ballot was counted, never what it said; not linked to any ballot row.
final class BallotReceipt: Model, @unchecked Sendable {
    static let schema = "ballot_receipts"

    @ID(custom: "receipt", generatedBy: .user) var id: String?
    @Field(key: "round_id") var roundID: UUID

    init() {}
}
