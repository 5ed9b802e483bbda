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

    public var line: String {
        String(format: "overview: campaigns=%d overview_ms=%.1f overview_max_ms=%.1f runs=%d", campaigns,
               milliseconds[milliseconds.count / 2], milliseconds.last ?? 0, milliseconds.count)
    }
}

/// Loads the demo campaign `campaigns` times, each with a counted round of `voters` random ballots kept as its tally,
/// then times the overview for a system admin (who sees them all) `runs` times; every row must be counted.
public func runOverviewBenchmark(on db: any Database, campaigns: Int, voters: Int, runs: Int, seed: UInt64) async throws -> OverviewFigures {
    let clock = ContinuousClock()
    func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
    var rng = SplitMix64(seed: seed)
    let symbols = Array("01111122223334".utf8)
    let fillStart = clock.now
    for year in 0..<campaigns {
        let campaign = try await DemoCampaign.load(on: db)
        let campaignID = try campaign.requireID()
        let reportees = try await Reportee.query(on: db).filter(\.$campaign.$id == campaignID).sort(\.$position).all()
        let groups = try await RaterGroup.query(on: db).filter(\.$campaign.$id == campaignID).sort(\.$position).all()
        let layout = BallotLayout(spec: BallotSpec(reportees: reportees.map { $0.id!.uuidString }, forms: campaign.forms))
        let ballots = (0..<voters).map { _ in
            StoredBallot(raterGroup: groups[Int(rng.next() % UInt64(groups.count))].id!.uuidString, isVoid: false,
                         marks: String(decoding: layout.cells.map { _ in symbols[Int(rng.next() % UInt64(symbols.count))] }, as: UTF8.self))
        }
        let round = BallotRound(campaignID: campaignID, number: 1, layout: layout, openedAt: Date())
        round.state = .counted
        round.issuedCodes = voters
        round.reconciliation = try jsonText(RoundReconciliation(issued: voters, valid: voters, void: 0))
        round.storedTally = try jsonText(TallyRecord(try Tally(stored: ballots, layout: layout), layout: layout))
        try await round.save(on: db)
        campaign.title = "\(2016 + year % 10)年度第\(year + 1)场述职评议"
        campaign.status = .published
        try await campaign.save(on: db)
    }
    let fillSeconds = seconds(clock.now - fillStart)
    let admin = User(username: "overview-bench", passwordHash: "-", displayName: "区委组织部", role: .systemAdmin)
    try await admin.save(on: db)
    let actor = Actor(user: admin, scope: try await OrgScope.of(admin, on: db))
    var times: [Double] = []
    for _ in 0..<runs {
        let start = clock.now
        let rows = try await CampaignReport.overview(for: actor, on: db)
        times.append(seconds(clock.now - start) * 1000)
        guard rows.count == campaigns, rows.allSatisfy(\.counted) else {
            throw BenchmarkError("the overview listed \(rows.count) campaigns, \(rows.filter(\.counted).count) counted, of \(campaigns)")
        }
    }
    return OverviewFigures(campaigns: campaigns, fillSeconds: fillSeconds, milliseconds: times.sorted())
}
