import Fluent

struct CreateReportees: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Reportee.schema)
            .id()
            .field("campaign_id", .uuid, .required, .references(Campaign.schema, .id, onDelete: .cascade))
            .field("org_unit_id", .uuid, .references(OrgUnit.schema, .id, onDelete: .setNull))
            .field("name", .string, .required)
            .field("unit_name", .string, .required)
            .field("title", .string, .required)
            .field("mode", .string, .required)
            .field("position", .int, .required)
            .field("time_limit_seconds", .int, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Reportee.schema).delete()
    }
}
