import Fluent

/// 考核录入: one row per secretary of a campaign.
struct CreateAssessments: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AssessmentRecord.schema)
            .id()
            .field("campaign_id", .uuid, .required, .references(Campaign.schema, .id, onDelete: .cascade))
            .field("reportee_id", .uuid, .required, .references(Reportee.schema, .id, onDelete: .cascade))
            .field("entry", .json, .required)
            .field("updated_at", .datetime)
            .unique(on: "reportee_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AssessmentRecord.schema).delete()
    }
}
