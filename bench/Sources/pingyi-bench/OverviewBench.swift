import App
import Foundation
import Vapor

/// `pingyi-bench overview --campaigns N`: the district overview over N counted campaigns on a fresh SQLite file, or on
/// the PostgreSQL database `--postgres-url` names (emptied first: give it a throwaway one). See `runOverviewBenchmark`.
struct OverviewBench {
    var campaigns: Int
    var postgresURL: String?

    func run() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pingyi-overview-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let app = try await Application.make(Environment(name: "production", arguments: ["pingyi-bench"]))
        app.logger.logLevel = .warning
        do {
            try await configure(app, database: postgresURL.map { DatabaseLocation.postgres(url: $0) } ?? .sqliteFile(path: path))
            try await prepareDatabase(app)
            let figures = try await runOverviewBenchmark(on: app.db, campaigns: campaigns, voters: 150, runs: 9, seed: 20_261_206)
            try await app.asyncShutdown()
            print(String(format: "fill: campaigns=%d seconds=%.1f database=%@", figures.campaigns, figures.fillSeconds,
                         postgresURL == nil ? "sqlite" : "postgres"))
            print(figures.line)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }
}
