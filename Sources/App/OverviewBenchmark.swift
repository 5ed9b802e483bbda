import Fluent
import Foundation
import PingyiCore

/// What `bench/run overview` prints: the district overview (三级总览) over N counted campaigns, each read from the
/// tally kept at its count (issue 25's target: under 300 ms at 1,000 campaigns).
public struct OverviewFigures: Sendable {
    public var campaigns: Int
    public var fillSeconds: Double
    /// Each of `runs` requests for the whole overview, in milliseconds, sorted.
    public var milliseconds: [Double]
    /// The same with no kept standings decoded yet (`DecodedTexts` emptied before each), sorted: a server's first
    /// overview, or one after a thousand other rounds were read.
    public var coldMilliseconds: [Double]

    public var line: String {
        String(format: "overview: campaigns=%d overview_ms=%.1f overview_max_ms=%.1f overview_cold_ms=%.1f runs=%d", campaigns,
               milliseconds[milliseconds.count / 2], milliseconds.last ?? 0, coldMilliseconds[coldMilliseconds.count / 2],
               milliseconds.count)
    }
}

/// Loads `campaigns` counted campaigns (`CountedHistory`: the demo's shape, a counted round of `voters` random ballots,
/// its tally and standings kept as the count keeps them, over 10 years), then times the overview for a system admin (who
/// sees them all) `runs` times warm and `runs` times cold, in turn; every row must be counted.
public func runOverviewBenchmark(on db: any Database, campaigns: Int, voters: Int, runs: Int, seed: UInt64) async throws -> OverviewFigures {
    let clock = ContinuousClock()
    func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
    let fillStart = clock.now
    try await CountedHistory(campaigns: campaigns, years: 10, voters: voters, seed: seed).fill(on: db)
    let fillSeconds = seconds(clock.now - fillStart)
    let admin = User(username: "overview-bench", passwordHash: "-", displayName: "区委组织部", role: .systemAdmin)
    try await admin.save(on: db)
    let actor = Actor(user: admin, scope: try await OrgScope.of(admin, on: db))
    var times: [Double] = [], cold: [Double] = []
    // Cold and warm in turn, so both see the same machine.
    for run in 0..<(2 * runs) {
        if run % 2 == 0 { DecodedTexts.removeAll() }
        let start = clock.now
        let rows = try await CampaignReport.overview(for: actor, on: db)
        let ms = seconds(clock.now - start) * 1000
        if run % 2 == 0 { cold.append(ms) } else { times.append(ms) }
        guard rows.count == campaigns, rows.allSatisfy(\.counted) else {
            throw BenchmarkError("the overview listed \(rows.count) campaigns, \(rows.filter(\.counted).count) counted, of \(campaigns)")
        }
    }
    return OverviewFigures(campaigns: campaigns, fillSeconds: fillSeconds, milliseconds: times.sorted(), coldMilliseconds: cold.sorted())
}
