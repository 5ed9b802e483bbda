import Fluent

/// 操作日志: who did what, when, with the record before and after. Campaign id is kept without a foreign key so that
/// the log of a removed campaign is not lost.
struct CreateAuditEntries: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AuditEntry.schema)
            .id()
            .field("campaign_id", .uuid)
            .field("actor_id", .uuid)
            .field("actor_name", .string, .required)
            .field("action", .string, .required)
            .field("summary", .string, .required)
            .field("before", .string)
            .field("after", .string)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AuditEntry.schema).delete()
    }
}
