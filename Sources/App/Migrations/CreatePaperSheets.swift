import Fluent

/// 纸质票: the sheet sets printed for a round (serial numbers), and each teller's independent keying of a sheet.
struct CreatePaperSheets: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PaperSheet.schema)
            .id()
            .field("round_id", .uuid, .required, .references(BallotRound.schema, .id, onDelete: .cascade))
            .field("serial", .int, .required)
            .field("rater_group_id", .uuid, .required)
            .field("state", .string, .required)
            .unique(on: "round_id", "serial")
            .create()
        try await database.schema(PaperEntry.schema)
            .id()
            .field("sheet_id", .uuid, .required, .references(PaperSheet.schema, .id, onDelete: .cascade))
            .field("teller_id", .uuid, .required)
            .field("marks", .string, .required)
            .field("unreadable", .bool, .required)
            .unique(on: "sheet_id", "teller_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PaperEntry.schema).delete()
        try await database.schema(PaperSheet.schema).delete()
    }
}
