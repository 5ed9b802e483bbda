import Fluent
import SQLKit

/// 取票编号 once per click: the browser's key for one 取出一张并编号, so a double click or a retry numbers one sheet.
/// A plain unique index (both databases allow many NULLs in it): SQLite cannot add a constraint to a table.
struct AddPaperSheetRequestKey: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PaperSheet.schema).field("request_key", .string).update()
        try await (database as! any SQLDatabase).raw("""
            CREATE UNIQUE INDEX "paper_sheets_round_request_key" ON "paper_sheets" ("round_id", "request_key")
            """).run()
    }

    func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).raw(#"DROP INDEX IF EXISTS "paper_sheets_round_request_key""#).run()
        try await database.schema(PaperSheet.schema).deleteField("request_key").update()
    }
}
