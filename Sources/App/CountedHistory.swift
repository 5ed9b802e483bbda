import Fluent
import Foundation
import PingyiCore

/// Years of counted campaigns for the benchmarks (`bench/run overview`, `bench/run district`), written straight into
/// the database: each is the demo campaign with one counted round of `voters` random ballots, made as a real round
/// is: on PostgreSQL its own partitions (as the opening makes them), the tally and each secretary's standings kept as
/// the count keeps them, the campaign published. No ballot rows: nothing the overview or the results read needs them,
/// and the fill is much faster without. Campaign `i` is of year `2016 + i % years`.
public struct CountedHistory: Sendable {
    public var campaigns: Int
    public var years: Int
    public var voters: Int
    public var seed: UInt64

    public init(campaigns: Int, years: Int = 10, voters: Int = 150, seed: UInt64) {
        self.campaigns = campaigns
        self.years = max(1, years)
        self.voters = voters
        self.seed = seed
    }

    /// Fills the history; `progress` is called after every campaign with how many are done.
    public func fill(on db: any Database, progress: @Sendable (Int) -> Void = { _ in }) async throws {
        var rng = SplitMix64(seed: seed)
        let symbols = Array("01111122223334".utf8)
        for index in 0..<campaigns {
            let campaign = try await DemoCampaign.load(on: db)
            let campaignID = try campaign.requireID()
            let reportees = try await Reportee.query(on: db).filter(\.$campaign.$id == campaignID).sort(\.$position).all()
            let groups = try await RaterGroup.query(on: db).filter(\.$campaign.$id == campaignID).sort(\.$position).all()
            let layout = BallotLayout(spec: BallotSpec(reportees: reportees.map { $0.id!.uuidString }, forms: campaign.forms))
            let ballots = (0..<voters).map { _ in
                StoredBallot(raterGroup: groups[Int(rng.next() % UInt64(groups.count))].id!.uuidString, isVoid: false,
                             marks: String(decoding: layout.cells.map { _ in symbols[Int(rng.next() % UInt64(symbols.count))] }, as: UTF8.self))
            }
            let year = 2016 + index % years
            let voters = voters
            try await db.writeTransaction { db in
                let round = BallotRound(campaignID: campaignID, number: 1, layout: layout, openedAt: Date())
                round.state = .counted
                round.issuedCodes = voters
                round.sealedAt = Date()
                round.countedAt = Date()
                round.reconciliation = try jsonText(RoundReconciliation(issued: voters, valid: voters, void: 0))
                let tally = try Tally(stored: ballots, layout: layout)
                round.storedTally = try jsonText(TallyRecord(tally, layout: layout))
                try await round.save(on: db)
                let roundID = try round.requireID()
                try await BallotPartitions.create(round: roundID, on: db)
                // As the count does: each secretary's figures kept with the round, which is what the overview reads.
                try await CountedStandings.keep(try await CountedStandings.make(campaign, round: round, tally: tally, on: db),
                                                of: roundID, on: db)
                campaign.title = "\(year)年度第\(index + 1)场述职评议"
                campaign.year = year
                campaign.status = .published
                try await campaign.save(on: db)
            }
            progress(index + 1)
        }
    }

    /// The demo campaign `count` times, in preparation (筹备), for meetings to be held over the API; their ids in order.
    public static func meetingCampaigns(_ count: Int, year: Int, on db: any Database) async throws -> [UUID] {
        var ids: [UUID] = []
        for index in 0..<count {
            let campaign = try await DemoCampaign.load(on: db)
            campaign.title = "\(year)年度第\(index + 1)场述职评议（会议）"
            campaign.year = year
            try await campaign.save(on: db)
            ids.append(try campaign.requireID())
        }
        return ids
    }
}
