import Fluent

struct CreateParticipants: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Participant.schema)
            .id()
            .field("campaign_id", .uuid, .required, .references(Campaign.schema, .id, onDelete: .cascade))
            .field("name", .string, .required)
            .field("unit_name", .string, .required)
            .field("role", .string, .required)
            .field("rater_group_id", .uuid, .references(RaterGroup.schema, .id, onDelete: .restrict))
            .field("position", .int, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Participant.schema).delete()
    }
}
