import Fluent

/// 公示 wording chosen when publishing: the issuing body, a contact, and the text on objections.
struct AddPublicationWording: AsyncMigration {
    static let columns: [FieldKey] = ["issuer", "contact", "objection_text"]

    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        for column in Self.columns { try await database.schema(Publication.schema).field(column, .string).update() }
    }

    func revert(on database: any Database) async throws {
        for column in Self.columns { try await database.schema(Publication.schema).deleteField(column).update() }
    }
}
