@testable import App
import Fluent
import Foundation
import PingyiCore
import Testing
import Vapor

/// Issue 22, finding 10: recount notes where the README and the API did not say the same thing, settled at the routes.
@Suite("Recount notes: what the README and the API promise")
struct RecountNotesTests: BallotBoxHelpers {
    /// Six 区领导 mark 好 and one 部门负责人 差 everywhere, no rater-group weights, minimum 1, a cap of 1/2 on 好.
    func counted(_ app: Application) async throws -> (world: World, base: String) {
        let world = try await World.make(app)
        let base = "api/v1/campaigns/\(world.campaignID)"
        let admin = world.token(.districtAdmin)
        var rules = world.campaign.rules
        rules.raterGroupWeights = [:]
        rules.minimumGroupSize = 1
        rules.grading.maxGoodShare = Fraction(1, 2)
        #expect(try await call(app, .PUT, "\(base)/rules", token: admin, json: rules).status == .ok)
        _ = try await call(app, .POST, "\(base)/status", token: admin, json: ["status": "meeting"])
        let meeting = try await call(app, .GET, "\(base)/meeting", token: world.token(.chair)).decode(MeetingDTO.self)
        for person in try await Participant.query(on: app.db).filter(\.$role == .attendee).sort(\.$position).all().prefix(7) {
            _ = try await call(app, .POST, "\(base)/check-in", token: world.token(.teller), json: CheckInRequest(participantID: person.id))
        }
        let opened = try await call(app, .POST, "\(base)/rounds", token: world.token(.chair), json: RoundOpenRequest()).decode(RoundOpenedDTO.self)
        let box = Box(world: world, meeting: meeting, opened: opened)
        let check = try await spec(app, box, code: box.codes[0])
        for slip in opened.codes {
            #expect(try await vote(app, code: slip.code, marks: fullMarks(check, slip.raterGroup == "区领导" ? "good" : "poor")).status == .ok)
        }
        for step in ["seal", "count"] { _ = try await call(app, .POST, "\(box.base)/\(box.roundID)/\(step)", token: world.token(.chair)) }
        return (world, base)
    }

    @Test(arguments: TestDatabase.available)
    func flagsWeightsAndCountsSayWhatTheReadmeSays(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let (world, base) = try await counted(app)
            let admin = world.token(.districtAdmin)
            let results = try await call(app, .GET, "\(base)/results", token: admin).decode(ResultsDTO.self)
            // 加权好评率 without rater-group weights: every valid vote counts the same, so it is the 好评率 (6/7), not
            // the mean of the groups' rates (1/2); the form score is the mean points.
            let first = results.reportees[0]
            #expect(abs((first.goodRate ?? 0) - 6.0 / 7) < 1e-9 && abs((first.weightedGoodRate ?? 0) - 6.0 / 7) < 1e-9)
            #expect(abs((first.forms[0].score ?? 0) - 640.0 / 7) < 1e-9)
            // The cap on 好 keeps ⌊11/2⌋ = 5; the others are demoted, and their flag says from what to what.
            #expect(results.reportees.filter { $0.grade == "good" }.count == 5)
            let demoted = results.reportees.flatMap(\.flags).filter { $0.code == "demoted_by_good_share_cap" }
            #expect(demoted.count == 6 && demoted.allSatisfy { $0.from == "good" && $0.to == "fairly_good" }, "\(demoted)")
            // Assessment weights are shares: 0.4 / 0.3 / 0.2 / 0.1.
            #expect(results.assessmentWeights == ["evaluation": 0.4, "daily": 0.3, "target": 0.2, "onsite": 0.1])
            // The overview counts a vetoed secretary among the final grades at once, parts missing or not.
            let vetoed = results.reportees[3].reporteeID
            let entry = try await call(app, .PUT, "\(base)/assessments/\(vetoed)", token: admin,
                                       json: AssessmentEntryRequest(scores: [:], veto: "发生重大责任事故"))
            #expect(try entry.decode(ReporteeResultDTO.self).assessment?.grade == "poor")
            let overview = try await call(app, .GET, "api/v1/overview", token: admin).decode([CampaignOverviewDTO].self)
            #expect(overview.first { $0.campaignID == world.campaign.id }?.finalGrades == ["poor": 1])
        }
    }

    /// A new campaign's rules carry the minimum group size, and rules sent without it get the default 3.
    @Test(arguments: TestDatabase.available)
    func theMinimumGroupSizeIsAlwaysThere(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let admin = world.token(.districtAdmin)
            let created = try await call(app, .POST, "api/v1/campaigns", token: admin,
                                         json: CampaignCreateRequest(title: "新活动", year: 2024, level: "district", orgUnitID: world.district.id!))
            #expect(created.status == .created, "\(created.text)")
            let detail = try created.decode(CampaignDetailDTO.self)
            #expect(detail.rules.minimumGroupSize == 3)
            #expect(created.text.contains("\"minimumGroupSize\":3"))
            // Rules sent without the key: 3, as documented.
            var rules = detail.rules
            rules.minimumGroupSize = nil
            #expect(!String(decoding: try JSONEncoder().encode(rules), as: UTF8.self).contains("minimumGroupSize"))
            let put = try await call(app, .PUT, "api/v1/campaigns/\(detail.campaign.id)/rules", token: admin, json: rules)
            #expect(put.status == .ok, "\(put.text)")
            #expect(try put.decode(CampaignDetailDTO.self).rules.minimumGroupSize == 3)
            #expect(try await Campaign.find(detail.campaign.id, on: app.db)?.rules.minimumGroupSize == 3)
        }
    }
}
