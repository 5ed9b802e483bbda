@testable import App
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

/// Issue 26: a failing migration leaves the database as it was — SQLite files byte for byte (the copy taken before
/// migrating is put back), PostgreSQL row for row (one transaction) — with one line in Chinese and English.
@Suite("Schema upgrades are all or nothing")
struct SchemaUpgradeTests {
    /// A real change (a table and an edited row) followed by a migration that fails: both must be undone.
    struct AddUpgradeProbe: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema("upgrade_probe").id().field("note", .string).create()
            try await (database as! any SQLDatabase).raw("UPDATE campaigns SET title = 'changed by a failed upgrade'").run()
        }
        func revert(on database: any Database) async throws {
            try await database.schema("upgrade_probe").delete()
        }
    }

    struct FailingMigration: AsyncMigration {
        struct Refused: Error, CustomStringConvertible { var description: String { "forced failure for the test" } }
        func prepare(on database: any Database) async throws { throw Refused() }
        func revert(on database: any Database) async throws {}
    }

    @Test(arguments: TestDatabase.available)
    func aFailingMigrationIsRolledBackRowForRow(database: TestDatabase) async throws {
        try await withApp(database) { app in
            _ = try await bootstrap(app, adminPassword: "upgrade-test-pass")
            let before = try await fingerprint(app)
            #expect(before["campaigns"] != nil && before["_fluent_migrations"] != nil)
            app.migrations.add([AddUpgradeProbe(), FailingMigration()])
            await #expect {
                try await prepareDatabase(app)
            } throws: { error in
                guard let error = error as? PingyiStartupError, case .migrationUndone(let detail, _) = error else { return false }
                return detail.contains("forced failure") && error.line.contains("数据库迁移失败") && error.line.contains("migration failed")
            }
            #expect(try await fingerprint(app) == before)
        }
    }

    @Test func aFailingMigrationPutsTheSQLiteFileBackByteForByte() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pingyi-upgrade-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("pingyi.sqlite").path
        try await withFileApp(path) { app in
            try await prepareDatabase(app)
            _ = try await bootstrap(app, adminPassword: "upgrade-test-pass")
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        var line = ""
        try await withFileApp(path) { app in
            app.migrations.add([AddUpgradeProbe(), FailingMigration()])
            do {
                try await prepareDatabase(app)
                Issue.record("the failing migration did not fail")
            } catch let error as PingyiStartupError {
                guard case .migrationUndone = error else { Issue.record("\(error.line)"); return }
                line = error.line
            }
        }
        #expect(line.contains("迁移前的副本") && line.contains("copy taken before migrating") && line.contains("forced failure"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
        #expect(!FileManager.default.fileExists(atPath: SchemaUpgrade.copyPath(of: path)))
        // The file still opens at its schema, the probe's table absent, the campaign's name unchanged.
        try await withFileApp(path) { app in
            try await prepareDatabase(app)
            let sql = app.db as! any SQLDatabase
            struct Name: Decodable { var name: String }
            #expect(try await sql.raw("SELECT name FROM sqlite_master WHERE name = 'upgrade_probe'").all(decoding: Name.self).isEmpty)
            #expect(try await sql.raw("SELECT title AS name FROM campaigns").all(decoding: Name.self).allSatisfy { !$0.name.contains("failed upgrade") })
        }
        // A successful upgrade removes its copy.
        try await withFileApp(path) { app in
            app.migrations.add(AddUpgradeProbe())
            try await prepareDatabase(app)
            #expect(!FileManager.default.fileExists(atPath: SchemaUpgrade.copyPath(of: path)))
            let campaigns: [Campaign] = try await Campaign.query(on: app.db).all()
            #expect(!campaigns.isEmpty && campaigns.allSatisfy { $0.title == "changed by a failed upgrade" })
        }
    }

    private func withFileApp(_ path: String, _ body: (Application) async throws -> Void) async throws {
        let app = try await Application.make(.testing)
        do {
            try await configure(app, database: .sqliteFile(path: path))
            app.passwords.use(.bcrypt(cost: 4))
            try await body(app)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    /// Every table of the database and a digest of its rows (PostgreSQL: md5 of the rows' text in order; SQLite in
    /// memory: the row count), so any row added, removed or changed shows.
    private func fingerprint(_ app: Application) async throws -> [String: String] {
        let sql = app.db as! any SQLDatabase
        struct Name: Decodable { var name: String }
        struct Digest: Decodable { var digest: String? }
        var result: [String: String] = [:]
        if case .postgres = app.databaseLocation {
            let tables = try await sql.raw("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()")
                .all(decoding: Name.self)
            for table in tables {
                let row = try await sql.raw("SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM \(ident: table.name) t")
                    .first(decoding: Digest.self)
                result[table.name] = row?.digest ?? ""
            }
        } else {
            let tables = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table'").all(decoding: Name.self)
            for table in tables {
                let row = try await sql.raw("SELECT CAST(count(*) AS TEXT) AS digest FROM \(ident: table.name)").first(decoding: Digest.self)
                result[table.name] = row?.digest ?? ""
            }
            let names = try await sql.raw("SELECT title AS name FROM campaigns ORDER BY title").all(decoding: Name.self).map(\.name)
            result["campaigns.name"] = names.joined(separator: "|")
        }
        return result
    }
}
