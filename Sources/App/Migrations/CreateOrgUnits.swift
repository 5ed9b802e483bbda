import Fluent
import SQLKit

struct CreateOrgUnits: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(OrgUnit.schema)
            .id()
            .field("parent_id", .uuid, .references(OrgUnit.schema, .id, onDelete: .restrict))
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("domain", .string, .required)
            .field("secretary_name", .string, .required)
            .field("position", .int, .required)
            .field("is_demo", .bool, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        // SQLite drops a table by deleting its rows first, which the parent link would refuse.
        if let sql = database as? any SQLDatabase {
            try await sql.update(OrgUnit.schema).set("parent_id", to: SQLLiteral.null).run()
        }
        try await database.schema(OrgUnit.schema).delete()
    }
}
