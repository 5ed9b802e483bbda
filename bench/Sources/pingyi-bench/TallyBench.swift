import App
import Foundation
import Vapor

/// `pingyi-bench tally --ballots B`: the full count against SQLite's GROUP BY, on a fresh SQLite file (see
/// `runTallyBenchmark`). The last line is the one the README quotes.
struct TallyBench {
    var ballots: Int

    func run() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pingyi-tally-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let app = try await Application.make(Environment(name: "production", arguments: ["pingyi-bench"]))
        app.logger.logLevel = .warning
        do {
            try await configure(app, database: .sqliteFile(path: path))
            try await prepareDatabase(app)
            let figures = try await runTallyBenchmark(on: app.db, ballots: ballots, seed: 20_261_125)
            try await app.asyncShutdown()
            print(String(format: "fill: ballots=%d seconds=%.1f; flat table: rows=%d seconds=%.1f", figures.ballots, figures.fillSeconds,
                         figures.marks, figures.flatLoadSeconds))
            guard figures.mismatches == 0 else { throw BenchmarkError(description: "\(figures.mismatches) counts differ from the GROUP BY") }
            print(figures.line)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }
}
