import App
import Foundation
import Vapor

/// `pingyi-bench overview --campaigns N`: the district overview over N counted campaigns on a fresh SQLite file, or on
/// the PostgreSQL database `--postgres-url` names (emptied first: give it a throwaway one). See `runOverviewBenchmark`.
struct OverviewBench {
    var campaigns: Int
    var postgresURL: String?

    func run() async throws {
        let figures = try await withBenchDatabase(postgresURL: postgresURL) { app in
            try await runOverviewBenchmark(on: app.db, campaigns: campaigns, voters: 150, runs: 9, seed: 20_261_206)
        }
        print(String(format: "fill: campaigns=%d seconds=%.1f database=%@", figures.campaigns, figures.fillSeconds,
                     postgresURL == nil ? "sqlite" : "postgres"))
        print(figures.line)
    }
}
