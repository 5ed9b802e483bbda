import Fluent

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
        try await database.schema(OrgUnit.schema).delete()
    }
}
