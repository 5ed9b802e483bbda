import Fluent

/// 书面述职材料: one uploaded report per reportee, kept in the database so backups and several instances see it.
struct CreateReportDocuments: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ReportDocument.schema)
            .id()
            .field("reportee_id", .uuid, .required, .references(Reportee.schema, .id, onDelete: .cascade))
            .field("file_name", .string, .required)
            .field("content_type", .string, .required)
            .field("byte_count", .int, .required)
            .field("sha256", .string, .required)
            .field("data", .data, .required)
            .field("uploaded_at", .datetime)
            .unique(on: "reportee_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ReportDocument.schema).delete()
    }
}
