@testable import App
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

@Suite("Database location and storage settings")
struct DatabaseTests {
    @Test func parsesEveryDocumentedForm() throws {
        #expect(try DatabaseLocation.parse("sqlite:data/pingyi.sqlite") == .sqliteFile(path: "data/pingyi.sqlite"))
        #expect(try DatabaseLocation.parse("sqlite:///var/lib/pingyi.sqlite") == .sqliteFile(path: "/var/lib/pingyi.sqlite"))
        #expect(try DatabaseLocation.parse("sqlite::memory:") == .sqliteMemory)
        #expect(try DatabaseLocation.parse("postgres://u:p@localhost:5432/pingyi") == .postgres(url: "postgres://u:p@localhost:5432/pingyi"))
        #expect(try DatabaseLocation.fromEnvironment([:]) == .sqliteFile(path: "pingyi.sqlite"))
    }

    @Test(arguments: ["mysql://x", "sqlite:", "postgres://", "pingyi.sqlite", "http://localhost"])
    func refusesAnythingElseWithABilingualLine(value: String) {
        #expect(throws: PingyiStartupError.badDatabaseURL(value)) { try DatabaseLocation.parse(value) }
        let line = PingyiStartupError.badDatabaseURL(value).line
        #expect(line.contains("错误") && line.contains("Error") && !line.contains("\n"))
    }

    @Test func displayNameHidesThePassword() {
        let name = DatabaseLocation.postgres(url: "postgres://pingyi:s3cret@db:5432/pingyi").displayName
        #expect(!name.contains("s3cret"))
        #expect(name.contains("db:5432"))
    }

    @Test func aSQLiteFileRunsInWALModeWithFullSync() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pingyi-\(UUID().uuidString).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let app = try await Application.make(.testing)
        do {
            try await configure(app, database: .sqliteFile(path: path))
            try await prepareDatabase(app)
            let sql = app.db as! any SQLDatabase
            struct Mode: Decodable { var journal_mode: String }
            struct Sync: Decodable { var synchronous: Int }
            #expect(try await sql.raw("PRAGMA journal_mode").first(decoding: Mode.self)?.journal_mode == "wal")
            // Every pooled connection, not just the one that ran the PRAGMA: FULL is 2.
            for _ in 0..<4 {
                #expect(try await sql.raw("PRAGMA synchronous").first(decoding: Sync.self)?.synchronous == 2)
            }
            #expect(FileManager.default.fileExists(atPath: path))
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    /// Issue 25: the tables read one campaign at a time are searched by index, not scanned (PostgreSQL does not index a
    /// foreign key by itself; the live screens' attendance count scanned every campaign's participants).
    @Test(arguments: TestDatabase.available)
    func aCampaignsRowsAreFoundByIndex(database: TestDatabase) async throws {
        try await withApp(database) { app in
            _ = try await bootstrap(app, adminPassword: nil)
            let campaign = UUID()
            for table in AddCampaignLookupIndexes.tables {
                let plan = try await app.db.transaction { db in
                    let sql = db as! any SQLDatabase
                    switch database {
                    case .sqlite:
                        return try await sql.raw("EXPLAIN QUERY PLAN SELECT * FROM \(ident: table) WHERE campaign_id = \(bind: campaign)")
                            .all().map { try $0.decode(column: "detail", as: String.self) }.joined(separator: "; ")
                    case .postgres:
                        // A few rows cost less to scan than to look up: forbid the scan to see whether an index exists.
                        try await sql.raw("SET LOCAL enable_seqscan = off").run()
                        return try await sql.raw("EXPLAIN SELECT * FROM \(ident: table) WHERE campaign_id = \(bind: campaign)")
                            .all().map { try $0.decode(column: "QUERY PLAN", as: String.self) }.joined(separator: "; ")
                    }
                }
                #expect(plan.contains(AddCampaignLookupIndexes.indexName(table)), "\(table): \(plan)")
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func everyMigrationReverts(database: TestDatabase) async throws {
        try await withApp(database) { app in
            _ = try await bootstrap(app, adminPassword: nil)
            try await app.autoRevert()
            try await app.autoMigrate()
            #expect(try await Campaign.query(on: app.db).count() == 0)
        }
    }
}
