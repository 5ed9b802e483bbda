@testable import App
import Fluent
import Foundation
import PingyiCore
import Testing
import Vapor

/// Issue 15: one figure, one meaning. One 区领导 (weight 0.3) votes 好 everywhere, one 党代表 (0.4) 差 everywhere.
/// 好评率 = (好+较好)/valid = 1/2 at every level and in every output; the group-weighted rate, 0.3/0.7, is only
/// ever published under its own name, 加权好评率 (`weightedGoodRate`).
@Suite("One meaning per figure")
struct FigureMeaningTests: BallotBoxHelpers {
    static let weighted = 0.3 / 0.7

    func counted(_ app: Application) async throws -> (box: Box, first: String) {
        let box = try await openBox(app, present: 40, minimumGroupSize: 1)
        let leader = try #require(box.opened.codes.first { $0.raterGroup == "区领导" }).code
        let delegate = try #require(box.opened.codes.first { $0.raterGroup == "党代表·群众代表" }).code
        let check = try await spec(app, box, code: leader)
        for (code, grade) in [(leader, "good"), (delegate, "poor")] {
            let reply = try await call(app, .POST, "api/v1/vote", json: VoteRequest(code: code, submissionID: UUID().uuidString, marks: fullMarks(check, grade)))
            #expect(reply.status == .ok, "\(reply.text)")
        }
        _ = try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: box.world.token(.chair))
        let count = try await call(app, .POST, "\(box.base)/\(box.roundID)/count", token: box.world.token(.chair))
        #expect(count.status == .ok, "\(count.text)")
        return (box, check.reportees[0].id.uuidString)
    }

    func close(_ a: Double?, _ b: Double) -> Bool { a.map { abs($0 - b) < 1e-9 } ?? false }

    @Test(arguments: TestDatabase.available)
    func goodRateIsTheSameFigureInEveryOutput(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let (box, first) = try await counted(app)
            let admin = box.world.token(.districtAdmin)
            let base = "api/v1/campaigns/\(box.world.campaignID)"
            // The results API: column, form and secretary.
            let results = try await call(app, .GET, "\(base)/results", token: admin).decode(ResultsDTO.self)
            let person = try #require(results.reportees.first { $0.reporteeID == first })
            #expect(close(person.goodRate, 0.5) && close(person.poorRate, 0.5) && close(person.weightedGoodRate, Self.weighted))
            for form in person.forms {
                let overall = form.columns[0]
                #expect(overall.counts.good == 1 && overall.counts.poor == 1 && overall.counts.valid == 2)
                #expect(close(overall.goodRate, 0.5) && close(overall.weightedGoodRate, Self.weighted))
                #expect(close(form.goodRate, 0.5) && close(form.weightedGoodRate, Self.weighted))
            }
            // The sheet says the same.
            let sheet = try await call(app, .GET, "\(base)/results/\(first)", token: admin).decode(ResultSheetDTO.self)
            #expect(close(sheet.reportee.goodRate, 0.5) && close(sheet.reportee.forms[0].goodRate, 0.5))
            // The charts: 50.0% per form, each group's own rate per group, never the weighted 42.9%.
            let grades = try await call(app, .GET, "\(base)/results/\(first)/charts/grades", token: admin).text
            #expect(grades.contains("50.0%") && !grades.contains("42.9%"))
            let byGroup = try await call(app, .GET, "\(base)/results/\(first)/charts/groups", token: admin).text
            #expect(byGroup.contains("100.0%") && byGroup.contains("0.0%") && !byGroup.contains("42.9%"))
            // XLSX 汇总: the secretary's 好评率 and each form's, beside the counts they come from.
            let rows = try XLSXReader.firstSheet(Data(buffer: try await call(app, .GET, "\(base)/results.xlsx", token: admin).body))
            let header = rows[0].fields
            let row = try #require(rows.first { $0.fields[1] == person.name }).fields
            #expect(header[5] == "好评率" && Double(row[5]) == 0.5)
            for form in box.world.campaign.forms {
                let column = try #require(header.firstIndex(of: "\(form.name)·好评率"))
                #expect(Double(row[column]) == 0.5, "\(form.name)")
                #expect(row[try #require(header.firstIndex(of: "\(form.name)·好"))] == "1")
            }
            // CSV.
            let records = try CSV.parse(try await call(app, .GET, "\(base)/results.csv", token: admin).text)
            let line = try #require(records.first { $0.fields.count > 5 && $0.fields[1] == person.name }).fields
            #expect(line[5] == "50.0%" && !line.contains("42.9%"))
            // The ledger's prefill from the sheet.
            let draft = try await call(app, .GET, "api/v1/rectification/draft?from=result&campaign=\(box.world.campaignID)&reportee=\(first)",
                                       token: admin).decode(RectificationItemRequest.self)
            #expect(draft.problem?.contains("好评率 50.0%") == true, "\(draft.problem ?? "")")
            // The overview's average over secretaries.
            let overview = try await call(app, .GET, "api/v1/overview", token: admin).decode([CampaignOverviewDTO].self)
            #expect(close(overview.first { $0.counted }?.averageGoodRate, 0.5))
            // The public notice.
            let publication = try await call(app, .POST, "\(base)/publications", token: admin,
                                             json: PublicationRequest(title: nil, reporteeIDs: [UUID(uuidString: first)!], days: 5)).decode(PublicationDTO.self)
            let notice = try await call(app, .GET, "api/v1/notices/\(publication.id)").decode(PublicNoticeDTO.self)
            #expect(close(notice.rows[0].goodRate, 0.5))
        }
    }

    /// Flags, groups and layout cells carry ids and codes beside their Chinese text; the reconciliation is complete.
    @Test(arguments: TestDatabase.available)
    func answersCarryIdsCodesAndTheRoundsVerdict(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let (box, first) = try await counted(app)
            let admin = box.world.token(.districtAdmin)
            let base = "api/v1/campaigns/\(box.world.campaignID)"
            let groups = try await RaterGroup.query(on: app.db).filter(\.$campaign.$id == box.world.campaign.id!).sort(\.$position).all()
            let sheet = try await call(app, .GET, "\(base)/results/\(first)", token: admin).decode(ResultSheetDTO.self)
            #expect(sheet.raterGroups.map(\.id) == groups.map { $0.id!.uuidString })
            #expect(sheet.raterGroups.map(\.name) == groups.map(\.name))
            #expect(sheet.reportee.forms[0].columns[0].byGroup.map(\.raterGroupID) == groups.map { $0.id!.uuidString })
            // 1 of 2 votes is 差 on every form: more than a third is 一般+差, so each form raises a flag naming it by id.
            let flags = sheet.reportee.flags.filter { $0.code == "low_rating" }
            #expect(flags.compactMap(\.formID) == box.world.campaign.forms.map(\.id))
            #expect(flags.allSatisfy { !$0.message.isEmpty })
            let rec = try #require(sheet.reconciliation)
            #expect(rec.issued == 40 && rec.returned == 2 && rec.valid == 2 && rec.void == 0 && rec.unreturned == 38)
            #expect(rec.verdict == "valid" && rec.codes == IssuedReturned(issued: 40, returned: 2))
        }
    }
}
