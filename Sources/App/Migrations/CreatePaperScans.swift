import Fluent

/// 扫描识别: scanned pages of one-form paper sheets with the machine's reading, the tellers' checks of unsure boxes
/// and the scrutineer's sample; the tellers' 清点票数 per form on the round; numbered sheets may name their form.
struct CreatePaperScans: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PaperScan.schema)
            .id()
            .field("round_id", .uuid, .required, .references(BallotRound.schema, "id", onDelete: .cascade))
            .field("sha256", .string, .required)
            .field("rater_group_id", .uuid, .required)
            .field("form_index", .int, .required)
            .field("page", .int, .required)
            .field("state", .string, .required)
            .field("reading", .string, .required)
            .field("scores", .string, .required)
            .field("width", .int, .required)
            .field("height", .int, .required)
            .field("image", .data)
            .field("duplicate_of", .uuid)
            .field("sampled", .bool, .required)
            .unique(on: "round_id", "sha256")
            .create()
        try await database.schema(PaperScanCheck.schema)
            .id()
            .field("scan_id", .uuid, .required, .references(PaperScan.schema, "id", onDelete: .cascade))
            .field("person_id", .uuid, .required)
            .field("kind", .string, .required)
            .field("marks", .string, .required)
            .unique(on: "scan_id", "person_id", "kind")
            .create()
        try await database.schema(BallotRound.schema).field("box_counts", .string).update()
        // One column per statement: SQLite adds one at a time.
        try await database.schema(PaperSheet.schema).field("form_index", .int).update()
        try await database.schema(PaperSheet.schema).field("page", .int).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PaperSheet.schema).deleteField("page").update()
        try await database.schema(PaperSheet.schema).deleteField("form_index").update()
        try await database.schema(BallotRound.schema).deleteField("box_counts").update()
        try await database.schema(PaperScanCheck.schema).delete()
        try await database.schema(PaperScan.schema).delete()
    }
}
