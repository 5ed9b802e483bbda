import Fluent

/// The audit chain's head when a notice was published, printed on the notice: anyone holding it can later check
/// that the log up to that point was not rewritten.
struct AddPublicationAuditHead: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Publication.schema).field("audit_seq", .int).update()
        try await database.schema(Publication.schema).field("audit_hash", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Publication.schema).deleteField("audit_hash").update()
        try await database.schema(Publication.schema).deleteField("audit_seq").update()
    }
}
