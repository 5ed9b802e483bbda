import Fluent
import SQLKit

/// The reading link for participants (述职材料): an unguessable token and whether the link is open.
struct AddCampaignMaterials: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        try await database.schema(Campaign.schema).field("materials_token", .string).update()
        try await database.schema(Campaign.schema).field("materials_public", .bool, .required, .sql(.default(false))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Campaign.schema).deleteField("materials_public").update()
        try await database.schema(Campaign.schema).deleteField("materials_token").update()
    }
}
