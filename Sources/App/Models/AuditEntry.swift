import Fluent
import Foundation
import PingyiCore

/// One admin action in the audit log (操作日志).
final class AuditEntry: Model, @unchecked Sendable {
    static let schema = "audit_entries"

    @ID(key: .id) var id: UUID?
    @OptionalField(key: "campaign_id") var campaignID: UUID?
    @OptionalField(key: "actor_id") var actorID: UUID?
    @Field(key: "actor_name") var actorName: String
    /// A stable code such as `campaign.update`.
    @Field(key: "action") var action: String
    /// What happened, in Chinese, for the log page.
    @Field(key: "summary") var summary: String
    /// JSON of the record before and after the change.
    @OptionalField(key: "before") var before: String?
    @OptionalField(key: "after") var after: String?
    @Field(key: "created_at") var createdAt: Date
    /// Its place in the hash chain (1, 2, …), the previous entry's hash, and its own (see `AuditChain`).
    @OptionalField(key: "seq") var seq: Int?
    @OptionalField(key: "prev_hash") var previousHash: String?
    @OptionalField(key: "hash") var hash: String?

    init() {}

    init(campaignID: UUID?, actorID: UUID?, actorName: String, action: String, summary: String,
         before: String?, after: String?, createdAt: Date = Date()) {
        self.campaignID = campaignID
        self.actorID = actorID
        self.actorName = actorName
        self.action = action
        self.summary = summary
        self.before = before
        self.after = after
        self.createdAt = createdAt
    }
}

extension AuditEntry {
    /// Every field the hash covers; the time in whole milliseconds, which survives both databases' round trip.
    var canonicalContent: String {
        AuditChain.canonical([
            id?.uuidString ?? "", campaignID?.uuidString ?? "", actorID?.uuidString ?? "", actorName, action, summary,
            before ?? "\u{0}", after ?? "\u{0}", String(Int64((createdAt.timeIntervalSince1970 * 1000).rounded())),
        ])
    }
}
