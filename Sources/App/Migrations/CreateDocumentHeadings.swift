import Fluent

/// 公文: the 版头 / 版记 remembered per campaign (issue 24).
struct CreateDocumentHeadings: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(DocumentHeadingRecord.schema)
            .id()
            .field("campaign_id", .uuid, .required, .references(Campaign.schema, .id, onDelete: .cascade))
            .field("issuer", .string)
            .field("number", .string)
            .field("recipients", .string)
            .field("copy_to", .string)
            .field("date", .string)
            .field("updated_at", .datetime)
            .unique(on: "campaign_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(DocumentHeadingRecord.schema).delete()
    }
}
