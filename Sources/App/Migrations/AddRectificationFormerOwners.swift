import Fluent

/// Every account that was ever responsible for a ledger item: none of them may approve its closing or an extension,
/// even after the item was handed to someone else.
struct AddRectificationFormerOwners: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(RectificationItem.schema).field("former_owner_ids", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(RectificationItem.schema).deleteField("former_owner_ids").update()
    }
}
