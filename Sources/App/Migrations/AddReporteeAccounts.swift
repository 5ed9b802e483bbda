import Fluent

/// Links a reportee to the account of the secretary, so they can upload their report and see their own results.
struct AddReporteeAccounts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Reportee.schema)
            .field("user_id", .uuid, .references(User.schema, .id, onDelete: .setNull))
            .update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Reportee.schema).deleteField("user_id").update()
    }
}
