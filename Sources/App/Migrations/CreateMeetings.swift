import Fluent

/// The live meeting of a campaign: agenda, current item, the projector's message and link, a revision counter.
struct CreateMeetings: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Meeting.schema)
            .id()
            .field("campaign_id", .uuid, .required, .references(Campaign.schema, .id, onDelete: .cascade))
            .field("agenda", .json, .required)
            .field("current_item", .int, .required)
            .field("current_reportee_id", .uuid)
            .field("message", .string, .required)
            .field("projector_token", .string, .required)
            .field("revision", .int, .required)
            .field("started_at", .datetime)
            .unique(on: "campaign_id")
            .unique(on: "projector_token")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Meeting.schema).delete()
    }
}
