import App
import Foundation
import Vapor

/// `pingyi-bench tally --ballots B`: the full count against SQLite's GROUP BY, on a fresh SQLite file (see
/// `runTallyBenchmark`). The last line is the one the README quotes.
struct TallyBench {
    var ballots: Int

    func run() async throws {
        let figures = try await withBenchDatabase(postgresURL: nil) { app in
            try await runTallyBenchmark(on: app.db, ballots: ballots, seed: 20_261_125)
        }
        print(String(format: "fill: ballots=%d seconds=%.1f; flat table: rows=%d seconds=%.1f", figures.ballots, figures.fillSeconds,
                     figures.marks, figures.flatLoadSeconds))
        guard figures.mismatches == 0 else { throw BenchmarkError(description: "\(figures.mismatches) counts differ from the GROUP BY") }
        print(figures.line)
    }
}
