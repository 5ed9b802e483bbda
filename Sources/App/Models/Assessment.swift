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
    /// 发布单位, 联系方式 and 异议说明 as published; absent in notices published before they could be chosen.
    @OptionalField(key: "issuer") var issuer: String?
    @OptionalField(key: "contact") var contact: String?
    @OptionalField(key: "objection_text") var objectionText: String?
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

    /// The wording a notice shows: as chosen, or the defaults for the campaign's organization.
    func wording(organization: String) -> (issuer: String, contact: String?, objectionText: String) {
        let issuer = issuer ?? Publication.defaultIssuer(organization)
        return (issuer, contact, objectionText ?? Publication.defaultObjectionText(issuer: issuer))
    }

    static func defaultIssuer(_ organization: String) -> String { organization + "组织部门" }

    static func defaultObjectionText(issuer: String) -> String {
        "公示期间，如对公示结果有异议，请以书面形式或电话向\(issuer)反映。反映问题应实事求是，署真实姓名。"
    }

    /// Public between its start and end, unless withdrawn.
    func isShowing(at now: Date) -> Bool { withdrawnAt == nil && startsAt <= now && now < endsAt }
}
