@testable import App
import Fluent
import Foundation
import PingyiCore
import Testing
import Vapor

/// Issue 22, finding 1: 最少人数 holds per shown cell, whatever mix of media and forms came back. A paper voter who
/// returns only the 党建 sheet covers a third of the cells; pooling that looked at a group's thinnest cell saw 0 and
/// showed the group — that one voter's marks — on its own.
@Suite("最少人数 per shown cell")
struct PerCellPrivacyTests: BallotBoxHelpers {
    /// `phones` 部门负责人 vote 好 by phone; `sheets` 区领导 vote 差 on paper and return only the 党建 sheet (form 0).
    /// Returns the counted box.
    func countedRound(_ app: Application, phones: Int, sheets: Int, paperSets: Int? = nil) async throws -> Box {
        let world = try await World.make(app)
        let base = "api/v1/campaigns/\(world.campaignID)"
        _ = try await call(app, .POST, "\(base)/status", token: world.token(.districtAdmin), json: ["status": "meeting"])
        let meeting = try await call(app, .GET, "\(base)/meeting", token: world.token(.chair)).decode(MeetingDTO.self)
        let groups = try await RaterGroup.query(on: app.db).filter(\.$campaign.$id == world.campaign.id!).sort(\.$position).all()
        let leaders = try #require(groups.first { $0.name == "区领导" }).id!
        let heads = try #require(groups.first { $0.name == "部门负责人" }).id!
        let body = RoundOpenRequest(codes: phones > 0 ? [heads.uuidString: phones] : [:],
                                    paperSheets: [leaders.uuidString: paperSets ?? sheets])
        let reply = try await call(app, .POST, "\(base)/rounds", token: world.token(.chair), json: body)
        #expect(reply.status == .created, "\(reply.text)")
        let box = Box(world: world, meeting: meeting, opened: try reply.decode(RoundOpenedDTO.self))
        if let first = box.codes.first {
            let check = try await spec(app, box, code: first)
            for code in box.codes { #expect(try await vote(app, code: code, marks: fullMarks(check, "good")).status == .ok) }
        }
        #expect(try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: world.token(.chair)).status == .ok)
        try await makeUser(app, username: "teller2", role: .teller, orgUnitID: world.district.id)
        let second = try await login(app, "teller2")
        let round = try #require(try await BallotRound.find(box.roundID, on: app.db))
        let pageCells = round.layout.cells.filter { $0.form == world.campaign.forms[0].id }.count
        for _ in 0..<sheets {
            let numbered = try await call(app, .POST, "\(box.base)/\(box.roundID)/sheets", token: world.token(.teller),
                                          json: NumberSheetRequest(raterGroupID: leaders, formIndex: 0, page: 0)).decode(PaperSheetStatusDTO.self)
            let entry = "\(box.base)/\(box.roundID)/sheets/\(numbered.serial)/entry"
            let marks = String(repeating: "4", count: pageCells)
            #expect(try await call(app, .POST, entry, token: world.token(.teller), json: PaperEntryRequest(marks: marks)).status == .ok)
            #expect(try await call(app, .POST, entry, token: second, json: PaperEntryRequest(marks: marks)).status == .ok)
        }
        #expect(try await call(app, .PUT, "\(box.base)/\(box.roundID)/box-counts", token: world.token(.teller),
                               json: BoxCountsRequest(counts: [sheets, 0, 0])).status == .ok)
        let counted = try await call(app, .POST, "\(box.base)/\(box.roundID)/count", token: world.token(.chair))
        #expect(counted.status == .ok, "\(counted.text)")
        return box
    }

    func ballots(_ c: CountsDTO) -> Int { c.valid + c.abstentions + c.voids }

    /// Every figure of a result rests on no ballot or on at least `minimum`.
    func expectEveryCellLargeEnough(_ result: ReporteeResultDTO, minimum: Int = 3, sourceLocation: SourceLocation = #_sourceLocation) {
        for form in result.forms {
            for column in form.columns {
                #expect(ballots(column.counts) == 0 || ballots(column.counts) >= minimum,
                        "\(result.name) \(form.name) \(column.name): \(column.counts)", sourceLocation: sourceLocation)
                for group in column.byGroup {
                    #expect(ballots(group.counts) == 0 || ballots(group.counts) >= minimum,
                            "\(result.name) \(form.name) \(column.name) \(group.raterGroup): \(group.counts)", sourceLocation: sourceLocation)
                }
            }
        }
    }

    /// One or two 区领导 on paper with only the 党建 sheet, four 部门负责人 by phone: the 区领导 are never shown on their
    /// own — not in the results API, the XLSX, the groups chart, nor the secretary's own sheet after publication.
    @Test(arguments: TestDatabase.available, [1, 2])
    func aPaperVoterWithOneSheetIsNeverShownAlone(database: TestDatabase, voters: Int) async throws {
        try await withApp(database) { app in
            let box = try await countedRound(app, phones: 4, sheets: voters)
            let admin = box.world.token(.districtAdmin)
            let base = "api/v1/campaigns/\(box.world.campaignID)"
            // The results API.
            let results = try await call(app, .GET, "\(base)/results", token: admin).decode(ResultsDTO.self)
            #expect(!results.withheld)
            for result in results.reportees { expectEveryCellLargeEnough(result) }
            let party = results.reportees[0].forms[0].columns[0]
            #expect(!party.byGroup.contains { $0.raterGroup == "区领导" && ballots($0.counts) > 0 }, "\(party.byGroup.map(\.raterGroup))")
            #expect(party.counts.poor == voters && party.counts.good == 4)
            // The XLSX: no per-secretary sheet has a row of the 区领导 alone.
            let xlsx = Data(buffer: try await call(app, .GET, "\(base)/results.xlsx", token: admin).body)
            let zip = try #require(UploadedZip(xlsx))
            for index in 2...(results.reportees.count + 1) {
                // Cells are inline strings: a cell of the 区领导 alone reads <t …>区领导</t>.
                let sheet = String(decoding: try #require(zip.file("xl/worksheets/sheet\(index).xml", limit: 10_000_000)), as: UTF8.self)
                #expect(!sheet.contains(">区领导<"), "sheet \(index)")
                #expect(sheet.contains(">区领导、部门负责人（合并）<"), "sheet \(index)")
            }
            // The groups chart.
            let reportee = try #require(try await Reportee.query(on: app.db).filter(\.$unitName == "**镇党委").first())
            let chart = try await call(app, .GET, "\(base)/results/\(reportee.id!)/charts/groups", token: admin)
            #expect(chart.status == .ok && chart.text.contains("区领导、部门负责人") && !chart.text.contains(">区领导<"))
            // Published: the secretary's own sheet.
            #expect(try await call(app, .POST, "\(base)/publications", token: admin,
                                   json: PublicationRequest(reporteeIDs: [reportee.id!], days: 7)).status == .created)
            let own = try await call(app, .GET, "\(base)/results/\(reportee.id!)", token: box.world.token(.reportee))
            #expect(own.status == .ok, "\(own.text)")
            let sheet = try own.decode(ResultSheetDTO.self)
            #expect(!sheet.raterGroups.map(\.name).contains("区领导"))
            expectEveryCellLargeEnough(sheet.reportee)
        }
    }

    /// A round whose only ballot is one paper sheet shows no figure at all.
    @Test(arguments: TestDatabase.available)
    func aRoundOfOneSheetIsWithheld(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let box = try await countedRound(app, phones: 0, sheets: 1, paperSets: 3)
            let results = try await call(app, .GET, "api/v1/campaigns/\(box.world.campaignID)/results",
                                         token: box.world.token(.districtAdmin)).decode(ResultsDTO.self)
            #expect(results.withheld)
            #expect(results.reportees.allSatisfy { $0.composite == nil && $0.forms.allSatisfy { $0.columns.allSatisfy { ballots($0.counts) == 0 } } })
        }
    }
}
