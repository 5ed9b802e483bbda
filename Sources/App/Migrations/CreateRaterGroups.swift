import Fluent

struct CreateRaterGroups: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(RaterGroup.schema)
            .id()
            .field("campaign_id", .uuid, .required, .references(Campaign.schema, .id, onDelete: .cascade))
            .field("name", .string, .required)
            .field("position", .int, .required)
            .unique(on: "campaign_id", "name")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(RaterGroup.schema).delete()
    }
}
