@testable import App
import Fluent
import Foundation
import Testing

/// The tally benchmark's own check: the full count and SQLite's GROUP BY agree on every cell and grade.
@Suite("Tally benchmark")
struct TallyBenchmarkTests {
    @Test func theCountAgreesWithGroupByOverTheSameMarks() async throws {
        try await withApp(.sqlite) { app in
            let figures = try await runTallyBenchmark(on: app.db, ballots: 700, seed: 7)
            #expect(figures.ballots == 700 && figures.marks == 700 * 198)
            #expect(figures.mismatches == 0)
            #expect(figures.line.hasPrefix("tally: ballots=700 marks=138600 seconds="))
            let stored = try await Ballot.query(on: app.db).count()
            #expect(stored == 700)
        }
    }
}
