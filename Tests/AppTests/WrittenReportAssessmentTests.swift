@testable import App
import Fluent
import Foundation
import PingyiCore
import Testing
import Vapor

/// Issue 22, finding 9: a secretary who reports in writing (书面述职) has no 现场述职评分, so their 综合评定 stayed
/// 待定 for ever and was published as 待定. The weight of the part that does not apply is shared out among the
/// parts that do, in proportion to their own weights.
@Suite("综合评定 of a written report")
struct WrittenReportAssessmentTests: BallotBoxHelpers {
    @Test(arguments: TestDatabase.available)
    func aWrittenReportGetsAFinalGradeWithoutAnOnSiteScore(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let box = try await openBox(app, present: 4)
            let check = try await spec(app, box, code: box.codes[0])
            for code in box.codes { #expect(try await vote(app, code: code, marks: fullMarks(check, "good")).status == .ok) }
            for step in ["seal", "count"] { _ = try await call(app, .POST, "\(box.base)/\(box.roundID)/\(step)", token: box.world.token(.chair)) }
            let admin = box.world.token(.districtAdmin)
            let base = "api/v1/campaigns/\(box.world.campaignID)"
            let written = try #require(try await Reportee.query(on: app.db).filter(\.$mode == .written).sort(\.$position).first())
            let onsite = try #require(try await Reportee.query(on: app.db).filter(\.$mode == .onsite).sort(\.$position).first())
            // An on-site score for a written report is refused, and changes nothing.
            let refused = try await call(app, .PUT, "\(base)/assessments/\(written.id!)", token: admin,
                                         json: AssessmentEntryRequest(scores: ["daily": 90, "target": 80, "onsite": 70], veto: nil))
            try expectError(refused, .unprocessableEntity, code: "invalid_assessment")
            #expect(try await AssessmentRecord.query(on: app.db).count() == 0)
            // Daily and target are all it takes: (0.4 × 100 + 0.3 × 90 + 0.2 × 80) / 0.9 = 92.22, 好.
            let scores: [String: Double] = ["daily": 90, "target": 80]
            let reply = try await call(app, .PUT, "\(base)/assessments/\(written.id!)", token: admin, json: AssessmentEntryRequest(scores: scores, veto: nil))
            #expect(reply.status == .ok, "\(reply.text)")
            let assessment = try #require(try reply.decode(ReporteeResultDTO.self).assessment)
            #expect(abs((assessment.score ?? 0) - 83.0 / 0.9) < 1e-9 && assessment.grade == "good" && assessment.missing.isEmpty)
            #expect(assessment.parts.map(\.component) == ["evaluation", "daily", "target"] && assessment.notApplicable == ["onsite"])
            // One who reports on site still needs the on-site score.
            let other = try await call(app, .PUT, "\(base)/assessments/\(onsite.id!)", token: admin, json: AssessmentEntryRequest(scores: scores, veto: nil))
            #expect(try other.decode(ReporteeResultDTO.self).assessment?.grade == nil)
            // Published with its 综合评定, not 待定.
            let publication = try await call(app, .POST, "\(base)/publications", token: admin,
                                             json: PublicationRequest(reporteeIDs: [written.id!], days: 5)).decode(PublicationDTO.self)
            let notice = try await call(app, .GET, "api/v1/notices/\(publication.id)").decode(PublicNoticeDTO.self)
            #expect(notice.rows.map(\.finalGrade) == ["好"], "\(notice.rows)")
        }
    }
}
