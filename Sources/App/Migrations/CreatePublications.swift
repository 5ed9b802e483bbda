import Fluent

/// 结果公示: frozen notices with their period.
struct CreatePublications: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Publication.schema)
            .id()
            .field("campaign_id", .uuid, .required, .references(Campaign.schema, .id, onDelete: .cascade))
            .field("title", .string, .required)
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("withdrawn_at", .datetime)
            .field("rows", .json, .required)
            .field("published_by", .string, .required)
            .field("created_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Publication.schema).delete()
    }
}
