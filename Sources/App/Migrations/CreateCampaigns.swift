import Fluent

struct CreateCampaigns: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Campaign.schema)
            .id()
            .field("title", .string, .required)
            .field("year", .int, .required)
            .field("level", .string, .required)
            .field("org_unit_id", .uuid, .required, .references(OrgUnit.schema, .id, onDelete: .restrict))
            .field("status", .string, .required)
            .field("is_demo", .bool, .required)
            .field("forms", .json, .required)
            .field("rules", .json, .required)
            .field("created_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Campaign.schema).delete()
    }
}
