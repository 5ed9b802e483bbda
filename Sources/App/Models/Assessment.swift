import Fluent
import Foundation
import PingyiCore

/// 考核录入: the parts of one secretary's annual assessment entered by the organization department.
final class AssessmentRecord: Model, @unchecked Sendable {
    static let schema = "assessments"

    @ID(key: .id) var id: UUID?
    @Field(key: "campaign_id") var campaignID: UUID
    @Parent(key: "reportee_id") var reportee: Reportee
    @Field(key: "entry") var entry: AssessmentEntry
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(campaignID: UUID, reporteeID: UUID, entry: AssessmentEntry) {
        self.campaignID = campaignID
        self.$reportee.id = reporteeID
        self.entry = entry
    }
}

/// 结果公示: a frozen copy of chosen results, shown on a public page for a set period.
final class Publication: Model, @unchecked Sendable {
    static let schema = "publications"

    @ID(key: .id) var id: UUID?
    @Parent(key: "campaign_id") var campaign: Campaign
    @Field(key: "title") var title: String
    @Field(key: "starts_at") var startsAt: Date
    @Field(key: "ends_at") var endsAt: Date
    @OptionalField(key: "withdrawn_at") var withdrawnAt: Date?
    /// What the public sees, as it was when published: later edits do not change a notice silently.
    @Field(key: "rows") var rows: JSONList<PublishedRow>
    @Field(key: "published_by") var publishedBy: String
    /// The audit chain's head right after publishing (the publish entry itself).
    @OptionalField(key: "audit_seq") var auditSeq: Int?
    @OptionalField(key: "audit_hash") var auditHash: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(campaignID: UUID, title: String, startsAt: Date, endsAt: Date, rows: [PublishedRow], publishedBy: String) {
        self.$campaign.id = campaignID
        self.title = title
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.rows = JSONList(rows)
        self.publishedBy = publishedBy
    }

    /// Public between its start and end, unless withdrawn.
    func isShowing(at now: Date) -> Bool { withdrawnAt == nil && startsAt <= now && now < endsAt }
}

/// One line of a public notice.
struct PublishedRow: Codable, Sendable, Hashable {
    var reporteeID: UUID
    var name: String
    var unitName: String
    var title: String
    var goodRate: Double?
    var composite: Double?
    var rank: Int?
    /// 评议等次 from the ballot.
    var evaluationGrade: String?
    /// 综合评定等次, when the assessment is complete.
    var finalGrade: String?
}
