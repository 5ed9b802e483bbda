import Fluent
import Foundation

/// The 版头 and 版记 last set for a campaign's 公文 (issue 24): the next document starts from them.
final class DocumentHeadingRecord: Model, @unchecked Sendable {
    static let schema = "document_headings"

    @ID(key: .id) var id: UUID?
    @Field(key: "campaign_id") var campaignID: UUID
    @OptionalField(key: "issuer") var issuer: String?
    @OptionalField(key: "number") var number: String?
    @OptionalField(key: "recipients") var recipients: String?
    @OptionalField(key: "copy_to") var copyTo: String?
    /// yyyy-MM-dd as entered.
    @OptionalField(key: "date") var date: String?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(campaignID: UUID) {
        self.campaignID = campaignID
    }
}
