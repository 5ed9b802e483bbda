import Fluent

/// 责任单位 picked from the org tree (issue 23's walk): the units' ids, as JSON; items from before keep their free text.
struct AddRectificationResponsibleUnits: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(RectificationItem.schema).field("responsible_unit_ids", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(RectificationItem.schema).deleteField("responsible_unit_ids").update()
    }
}
