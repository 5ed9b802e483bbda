import Fluent

/// 会上述职: one speech per on-site reportee, its clock (server timestamps) and the chair's comment (点评).
struct CreateSpeeches: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Speech.schema)
            .id()
            .field("campaign_id", .uuid, .required, .references(Campaign.schema, .id, onDelete: .cascade))
            .field("reportee_id", .uuid, .required, .references(Reportee.schema, .id, onDelete: .cascade))
            .field("limit_seconds", .int, .required)
            .field("started_at", .datetime)
            .field("paused_at", .datetime)
            .field("paused_seconds", .double, .required)
            .field("ended_at", .datetime)
            .field("comment", .string)
            .field("comment_skipped", .bool, .required)
            .unique(on: "reportee_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Speech.schema).delete()
    }
}
