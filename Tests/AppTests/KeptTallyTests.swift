@testable import App
import Fluent
import Foundation
import PingyiCore
import SQLKit
import Testing
import Vapor

/// Issue 25: a counted round keeps its tally, counted in the count's transaction; results, exports and the overview read
/// it instead of every ballot again, and never show anything a fresh tally would not.
@Suite("The tally kept at the count")
struct KeptTallyTests {
    func responses(_ app: Application, _ c: ResultsTests.Counted) async throws -> [String] {
        var texts: [String] = []
        for path in ["\(c.base)/results", "\(c.base)/results.csv", "\(c.base)/results.xlsx", "api/v1/overview"] {
            let reply = try await call(app, .GET, path, token: c.token(.districtAdmin))
            #expect(reply.status == .ok, "\(path): \(reply.text)")
            if path.hasSuffix(".xlsx") {
                texts.append(reply.body.readableBytesView.count.description)
            } else if path.hasSuffix(".csv") {
                texts.append(reply.text)
            } else {
                // JSON compared as values: the encoder's key order is not fixed.
                let value = try JSONSerialization.jsonObject(with: Data(reply.text.utf8))
                texts.append(String(decoding: try JSONSerialization.data(withJSONObject: value, options: .sortedKeys), as: UTF8.self))
            }
        }
        return texts
    }

    @Test(arguments: TestDatabase.available)
    func theKeptTallyEqualsAFreshCountAndIsWhatResultsRead(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // setup: a counted round
            let c = try await ResultsTests().countedCampaign(app)
            let round = try #require(try await BallotRound.find(c.box.roundID, on: app.db))
            // check: the count kept a tally, and it is exactly a fresh count of the ballots
            let kept = try #require(round.storedTally)
            let record = try JSONDecoder().decode(TallyRecord.self, from: Data(kept.utf8))
            #expect(record == (try await CountedTally.fresh(round, on: app.db)))
            #expect(record.groups.values.map(\.ballots).reduce(0, +) == 8)
            let before = try await responses(app, c)
            // call: the ballots gone from under the results (as if unreadable): every page shows the same, so none of
            // them counted the ballots again
            let sql = app.db as! any SQLDatabase
            try await sql.delete(from: Ballot.schema).where("round_id", .equal, c.box.roundID).run()
            #expect(try await responses(app, c) == before)
        }
    }

    @Test(arguments: TestDatabase.available)
    func aRoundCountedBeforeTalliesWereKeptShowsTheSameFigures(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // setup: a counted round, then its kept tally taken away (a round counted by an older release)
            let c = try await ResultsTests().countedCampaign(app)
            let before = try await responses(app, c)
            let sql = app.db as! any SQLDatabase
            try await sql.update(BallotRound.schema).set("tally", to: SQLLiteral.null).where("id", .equal, c.box.roundID).run()
            // call / check: counted afresh from the ballots, the same on every page
            #expect(try await responses(app, c) == before)
            // the migration that brought tallies keeps one for such a round, equal to the count's
            try await AddRoundTally().keepTallies(on: app.db)
            let round = try #require(try await BallotRound.find(c.box.roundID, on: app.db))
            let record = try JSONDecoder().decode(TallyRecord.self, from: Data(try #require(round.storedTally).utf8))
            #expect(record == (try await CountedTally.fresh(round, on: app.db)))
            #expect(try await responses(app, c) == before)
        }
    }

    @Test(arguments: TestDatabase.available)
    func theOverviewShowsEachCampaignsOwnResults(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let c = try await ResultsTests().countedCampaign(app)
            let results = try await call(app, .GET, "\(c.base)/results", token: c.token(.districtAdmin)).decode(ResultsDTO.self)
            let overview = try await call(app, .GET, "api/v1/overview", token: c.token(.districtAdmin)).decode([CampaignOverviewDTO].self)
            let row = try #require(overview.first { $0.campaignID == c.box.world.campaign.id })
            #expect(row.counted && row.reportees == results.reportees.count)
            let ranked = results.reportees.filter { $0.composite != nil }
            #expect(row.averageComposite.map { abs($0 - ranked.compactMap(\.composite).reduce(0, +) / Double(ranked.count)) < 1e-9 } == true)
            #expect(row.grades == Dictionary(grouping: results.reportees.compactMap(\.grade), by: { $0 }).mapValues(\.count))
            #expect(row.flagged == results.reportees.filter { $0.flags.contains { $0.code == "low_rating" } }.count)
        }
    }

    /// The count keeps each secretary's figures beside the tally; they equal a fresh evaluation, and the overview
    /// shows the same whether it reads them or evaluates the tally (a round counted before they were kept).
    @Test(arguments: TestDatabase.available)
    func theKeptStandingsEqualAFreshEvaluationAndTheOverviewReadsThem(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let c = try await ResultsTests().countedCampaign(app)
            let admin = c.token(.districtAdmin)
            // An assessment entered after the count: the overview's 综合评定 must follow it.
            let reportee = try #require(try await Reportee.query(on: app.db).filter(\.$campaign.$id == c.box.world.campaign.id!)
                .sort(\.$position).first())
            let entered = try await call(app, .PUT, "\(c.base)/assessments/\(reportee.id!)", token: admin,
                                         json: AssessmentEntryRequest(scores: ["daily": 90, "target": 88, "onsite": 92], veto: nil))
            #expect(entered.status == .ok, "\(entered.text)")
            let kept = try #require(try await CountedStandings.kept(roundID: c.box.roundID, on: app.db))
            let campaign = try #require(try await Campaign.find(c.box.world.campaign.id, on: app.db))
            let fresh = try #require(try await campaignReport(campaign, on: app.db)).computed.results
            #expect(kept == fresh.map { SecretaryStanding($0).result })
            #expect(kept.map(\.composite) == fresh.map(\.composite) && kept.map(\.grade) == fresh.map(\.grade))
            let overview = { try await call(app, .GET, "api/v1/overview", token: admin).decode([CampaignOverviewDTO].self) }
            let fromKept = try await overview()
            #expect(fromKept.first { $0.campaignID == c.box.world.campaign.id }?.finalGrades.values.reduce(0, +) == 1,
                    "the secretary assessed after the count has a 综合评定 in the overview")
            // Standings taken away (an older release's round): evaluated from the tally, the same rows.
            let sql = app.db as! any SQLDatabase
            try await sql.delete(from: RoundStandings.schema).where("round_id", .equal, c.box.roundID).run()
            let fromTally = try await overview()
            #expect(fromTally.map(\.averageComposite) == fromKept.map(\.averageComposite))
            #expect(fromTally.map(\.grades) == fromKept.map(\.grades) && fromTally.map(\.finalGrades) == fromKept.map(\.finalGrades))
            #expect(fromTally.map(\.flagged) == fromKept.map(\.flagged) && fromTally.map(\.averageGoodRate) == fromKept.map(\.averageGoodRate))
            // The migration that brought standings keeps them for such a round, equal to the count's.
            try await AddRoundStandings().keepStandings(on: app.db)
            #expect(try await CountedStandings.kept(roundID: c.box.roundID, on: app.db) == kept)
            try await AddRoundStandings().revert(on: app.db)
            try await AddRoundStandings().prepare(on: app.db)
            #expect(try await CountedStandings.kept(roundID: c.box.roundID, on: app.db) == kept)
        }
    }

    /// The overview decodes a round's kept standings once per process (`DecodedTexts.standings`), but always answers from
    /// what is stored: standings rewritten under it (a database restored or upgraded beneath a running server) show.
    @Test(arguments: TestDatabase.available)
    func theOverviewFollowsTheStoredStandingsNotADecodedCopy(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let c = try await ResultsTests().countedCampaign(app)
            let admin = c.token(.districtAdmin)
            let overview = {
                try await call(app, .GET, "api/v1/overview", token: admin).decode([CampaignOverviewDTO].self)
                    .first { $0.campaignID == c.box.world.campaign.id }
            }
            let first = try #require(try await overview())
            #expect(try await overview()?.grades == first.grades, "read twice, the same")
            let sql = app.db as! any SQLDatabase
            struct Row: Decodable { var standings: String }
            let text = try #require(try await sql.select().column("standings").from(RoundStandings.schema)
                .where("round_id", .equal, c.box.roundID).first(decoding: Row.self)).standings
            var standings = try JSONDecoder().decode([SecretaryStanding].self, from: Data(text.utf8))
            for k in standings.indices { standings[k].grade = .poor }
            let rewritten = String(decoding: try JSONEncoder().encode(standings), as: UTF8.self)
            try await sql.update(RoundStandings.schema).set("standings", to: SQLBind(rewritten))
                .where("round_id", .equal, c.box.roundID).run()
            let after = try #require(try await overview())
            #expect(after.grades == [Grade.poor.rawValue: standings.count] && after.grades != first.grades)
        }
    }

    /// The overview decodes a campaign's rules once per process too (`DecodedTexts.campaignRules`); weights changed
    /// after a first overview show at once, the same 综合评定 as the results page computes.
    @Test(arguments: TestDatabase.available)
    func theOverviewFollowsChangedAssessmentWeights(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let c = try await ResultsTests().countedCampaign(app)
            let admin = c.token(.districtAdmin)
            let id = try #require(c.box.world.campaign.id)
            let reportee = try #require(try await Reportee.query(on: app.db).filter(\.$campaign.$id == id).sort(\.$position).first())
            let entered = try await call(app, .PUT, "\(c.base)/assessments/\(reportee.id!)", token: admin,
                                         json: AssessmentEntryRequest(scores: ["daily": 0, "target": 0, "onsite": 0], veto: nil))
            #expect(entered.status == .ok, "\(entered.text)")
            let overview = {
                try #require(try await call(app, .GET, "api/v1/overview", token: admin).decode([CampaignOverviewDTO].self)
                    .first { $0.campaignID == id }).finalGrades
            }
            let resultsPage = {
                Dictionary(grouping: try await call(app, .GET, "\(c.base)/results", token: admin).decode(ResultsDTO.self)
                    .reportees.compactMap { $0.assessment?.grade }, by: { $0 }).mapValues(\.count)
            }
            let before = try await overview(), beforeOnResults = try await resultsPage()
            #expect(before == ["poor": 1] && before == beforeOnResults, "0 in three parts of four: 差")
            let reweighted = try await call(app, .PUT, "\(c.base)/assessment-weights", token: admin,
                                            json: AssessmentWeightsRequest(weights: ["evaluation": 1]))
            #expect(reweighted.status == .ok, "\(reweighted.text)")
            let after = try await overview(), afterOnResults = try await resultsPage()
            #expect(after == afterOnResults, "the same 综合评定 as the results page: \(after) against \(afterOnResults)")
            #expect(after != before, "the evaluation alone completes and grades every secretary: \(after)")
        }
    }

    /// The overview lists what each admin may see: a town's admin its town's campaigns only, the district's admin all of
    /// them (the overview reads campaigns in plain SQL, so the scope is checked here, not by the models' query).
    @Test(arguments: TestDatabase.available)
    func theOverviewListsOnlyTheCampaignsInTheAdminsScope(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let c = try await ResultsTests().countedCampaign(app)
            let world = c.box.world
            let townCampaign = try await call(app, .POST, "api/v1/campaigns", token: c.token(.townAdmin), json: CampaignCreateRequest(
                title: "镇党委书记述职评议", year: world.campaign.year, level: "town", orgUnitID: world.town.id!, copyFrom: nil))
            #expect(townCampaign.status == .created, "\(townCampaign.text)")
            let district = try await call(app, .GET, "api/v1/overview", token: c.token(.districtAdmin)).decode([CampaignOverviewDTO].self)
            let town = try await call(app, .GET, "api/v1/overview", token: c.token(.townAdmin)).decode([CampaignOverviewDTO].self)
            #expect(Set(district.map(\.title)) == [world.campaign.title, "镇党委书记述职评议"])
            #expect(town.map(\.title) == ["镇党委书记述职评议"] && town[0].orgUnitName == world.town.name && !town[0].counted)
            #expect(district.first { $0.campaignID == world.campaign.id }?.orgUnitName == world.district.name)
        }
    }
}
