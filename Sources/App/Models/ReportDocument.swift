import Fluent
import Foundation

/// A written report (书面述职材料) uploaded for one reportee.
final class ReportDocument: Model, @unchecked Sendable {
    static let schema = "report_documents"

    @ID(key: .id) var id: UUID?
    @Parent(key: "reportee_id") var reportee: Reportee
    @Field(key: "file_name") var fileName: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "byte_count") var byteCount: Int
    @Field(key: "sha256") var sha256: String
    @Field(key: "data") var data: Data
    @Timestamp(key: "uploaded_at", on: .none) var uploadedAt: Date?

    init() {}
}
