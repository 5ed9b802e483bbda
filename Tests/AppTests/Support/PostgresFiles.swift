@testable import App
import Fluent
import FluentPostgresDriver
import Foundation
import SQLKit
import Testing
import Vapor

/// Reads a PostgreSQL relation's data files as the review did (an operator holding a copy of them): the tests that
/// check what an erase or a seal leaves in the files. `nil` when the cluster's data directory cannot be read.
struct PostgresFiles {
    let sql: any SQLDatabase
    let dataDirectory: String

    init?(_ db: any Database) async throws {
        struct Setting: Decodable { var data_directory: String }
        sql = db as! any SQLDatabase
        let directory = try #require(try await sql.raw("SHOW data_directory").first(decoding: Setting.self)?.data_directory)
        guard FileManager.default.isReadableFile(atPath: directory) else {
            Issue.record("the test cluster's data directory \(directory) cannot be read")
            return nil
        }
        dataDirectory = directory
    }

    /// Every segment of `relation` (a table or a TOAST table; for a partitioned table, of each of its partitions), after
    /// a checkpoint wrote out what sat in shared buffers.
    func files(_ relation: String) async throws -> [Data] {
        struct Text: Decodable { var t: String }
        try await sql.raw("CHECKPOINT").run()
        let paths = try await sql.raw("""
            SELECT pg_relation_filepath(relid) AS t FROM pg_partition_tree(\(bind: relation)::regclass) WHERE isleaf
            UNION ALL SELECT pg_relation_filepath(\(bind: relation)::regclass) WHERE pg_relation_filepath(\(bind: relation)::regclass) IS NOT NULL
            """).all(decoding: Text.self).map(\.t)
        #expect(!paths.isEmpty, "\(relation) has files")
        var found: [Data] = []
        for path in paths {
            for segment in 0... {
                let file = dataDirectory + "/" + path + (segment == 0 ? "" : ".\(segment)")
                guard let data = FileManager.default.contents(atPath: file) else { break }
                found.append(data)
            }
        }
        return found
    }
}

/// Runs `write` while a transaction that took its snapshot first, reading another table (a report, a backup, another
/// meeting), stays open until a moment after `write` has committed: what `write` erases must not be kept for it.
func withOlderSnapshot<T: Sendable>(_ app: Application, reading table: String = Campaign.schema,
                                    _ write: () async throws -> T) async throws -> T {
    let (snapshotTaken, signal) = AsyncStream<Void>.makeStream()
    let reader = Task {
        try await app.db.transaction { db in
            let sql = db as! any SQLDatabase
            try await sql.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").run()
            _ = try await sql.raw("SELECT count(*) AS n FROM \(ident: table)").all()
            signal.finish()
            try await Task.sleep(for: .milliseconds(800))
        }
    }
    for await _ in snapshotTaken {}
    let result = try await write()
    try await reader.value
    return result
}

/// A connection of its own, outside the app's pool (one connection per event loop), in the test's schema: another
/// meeting's transaction can be held open on it without taking the connection a request needs.
func sideConnection(_ app: Application) async throws -> PostgresConnection {
    struct Path: Decodable { var search_path: String }
    let path = try #require(try await (app.db as! any SQLDatabase).raw("SHOW search_path").first(decoding: Path.self)?.search_path)
    let url = try #require(ProcessInfo.processInfo.environment["PINGYI_TEST_POSTGRES_URL"])
    let connection = try await PostgresConnection.connect(
        configuration: try SQLPostgresConfiguration(url: url).coreConfiguration, id: 1, logger: app.logger)
    try await connection.query("SET search_path TO \(unescaped: path)", logger: app.logger)
    return connection
}
