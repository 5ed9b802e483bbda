@testable import App
import Fluent
import Foundation
import PingyiCore
import Testing
import Vapor

/// A small campaign counted by hand (the table below), then checked through every place that publishes a number:
/// the results, the sheet, the assessment, the exports and the public notice.
@Suite("Results, assessment, publication and exports")
struct ResultsTests: BallotBoxHelpers {
    /// Eight voters: six 区领导 (L1–L6) and two 部门负责人 (D1, D2); every column of every form gets the same mark.
    /// The campaign's minimum group size is set to 2 so the two 部门负责人 are shown as their own group.
    /// 0 abstains, 1 好, 2 较好, 3 一般, 4 差.
    ///
    ///            L1 L2 L3 L4 L5 L6 | D1 D2
    ///   王建华    1  1  1  2  3  0 |  4  1
    ///   李文静    1  1  1  1  1  1 |  1  1
    ///   张国强    3  3  3  4  4  4 |  3  3
    ///
    /// 王建华, per column: 区领导 valid 5, (3×100 + 80 + 60) / 5 = 88, 好评率 4/5; 部门负责人 valid 2, (40 + 100) / 2 = 70,
    /// 好评率 1/2; 党代表 no vote, so its 0.4 is shared out: (0.3×88 + 0.3×70) / 0.6 = 79, 加权好评率 (0.8 + 0.5) / 2 = 0.65;
/// 好评率 counts votes: 5/7.
    /// Pooled: 好4 较好1 一般1 差1 弃权1, (一般+差)/valid = 2/7 ≤ 1/3: no flag. Composite 79: 一般 (band 60–80).
    /// 李文静: 100, 好. 张国强: 区领导 (3×60 + 3×40)/6 = 50, 部门 60 → 55: 差; 一般+差 = 8/8 > 1/3 on every form.
    /// Ranks: 李文静 1, 王建华 2, 张国强 3; the other eight have no valid vote and are not ranked.
    static let marks: [String: [String]] = [
        "王建华": ["1", "1", "1", "2", "3", "0", "4", "1"],
        "李文静": ["1", "1", "1", "1", "1", "1", "1", "1"],
        "张国强": ["3", "3", "3", "4", "4", "4", "3", "3"],
    ]

    struct Counted {
        var box: Box
        var ids: [String: String]
        var base: String { "api/v1/campaigns/\(box.world.campaignID)" }
        func token(_ account: WorldAccount) -> String { box.world.token(account) }
    }

    func countedCampaign(_ app: Application) async throws -> Counted {
        let box = try await openBox(app, present: 8, minimumGroupSize: 2)
        let leaders = box.opened.codes.filter { $0.raterGroup == "区领导" }.map(\.code)
        let heads = box.opened.codes.filter { $0.raterGroup == "部门负责人" }.map(\.code)
        #expect(leaders.count == 6 && heads.count == 2)
        let check = try await spec(app, box, code: leaders[0])
        let ids = Dictionary(uniqueKeysWithValues: check.reportees.map { ($0.name, $0.id.uuidString) })
        for (voter, code) in (leaders + heads).enumerated() {
            var ballot: [String: [String: String]] = [:]
            for (name, row) in Self.marks {
                ballot[ids[name]!] = Dictionary(uniqueKeysWithValues: check.forms.map { ($0.id, String(repeating: row[voter], count: $0.columns.count)) })
            }
            let reply = try await call(app, .POST, "api/v1/vote", json: VoteRequest(code: code, submissionID: UUID().uuidString, ballot: ballot))
            #expect(reply.status == .ok, "\(reply.text)")
        }
        _ = try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: box.world.token(.chair))
        _ = try await call(app, .POST, "\(box.base)/\(box.roundID)/count", token: box.world.token(.chair))
        return Counted(box: box, ids: ids)
    }

    func close(_ a: Double?, _ b: Double) -> Bool { a.map { abs($0 - b) < 1e-9 } ?? false }

    @Test(arguments: TestDatabase.available)
    func everyPublishedNumberIsTheHandCount(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // setup
            let c = try await countedCampaign(app)
            // call
            let results = try await call(app, .GET, "\(c.base)/results", token: c.token(.districtAdmin)).decode(ResultsDTO.self)
            // check
            #expect(results.reportees.prefix(3).map(\.name) == ["李文静", "王建华", "张国强"])
            #expect(results.reportees.prefix(3).map(\.rank) == [1, 2, 3])
            #expect(results.reportees.dropFirst(3).allSatisfy { $0.rank == nil && $0.composite == nil })
            let wang = results.reportees[1]
            #expect(close(wang.composite, 79) && close(wang.goodRate, 5.0 / 7) && close(wang.weightedGoodRate, 0.65) && close(wang.poorRate, 1.0 / 7))
            #expect(wang.grade == "average" && wang.flags.isEmpty)
            for form in wang.forms {
                let overall = form.columns[0]
                #expect(overall.counts.good == 4 && overall.counts.fairlyGood == 1 && overall.counts.average == 1 && overall.counts.poor == 1)
                #expect(overall.counts.abstentions == 1 && overall.counts.voids == 0 && overall.counts.valid == 7)
                #expect(close(overall.meanPoints, 580.0 / 7) && close(overall.weightedPoints, 79) && close(overall.goodRate, 5.0 / 7))
                #expect(overall.byGroup.map(\.raterGroup) == ["区领导", "部门负责人", "党代表·群众代表"])
                #expect(close(overall.byGroup[0].meanPoints, 88) && close(overall.byGroup[0].goodRate, 0.8))
                #expect(close(overall.byGroup[1].meanPoints, 70) && close(overall.byGroup[1].goodRate, 0.5))
                #expect(overall.byGroup[2].counts.valid == 0 && overall.byGroup[2].meanPoints == nil)
                #expect(close(form.score, 79))
            }
            let li = results.reportees[0], zhang = results.reportees[2]
            #expect(close(li.composite, 100) && li.grade == "good" && close(li.goodRate, 1))
            #expect(close(zhang.composite, 55) && zhang.grade == "poor" && zhang.flags.count == 3)
            // The sheet says the same as the summary.
            let sheet = try await call(app, .GET, "\(c.base)/results/\(c.ids["王建华"]!)", token: c.token(.districtAdmin)).decode(ResultSheetDTO.self)
            #expect(sheet.rankedCount == 3 && sheet.reportee.rank == 2 && close(sheet.reportee.composite, 79))
            #expect(sheet.reconciliation == ReconciliationDTO(RoundReconciliation(codes: IssuedReturned(issued: 8, returned: 8), sheets: IssuedReturned(issued: 0, returned: 0), valid: 8, void: 0)))
        }
    }

    @Test(arguments: TestDatabase.available)
    func assessmentCombinesThePartsVetoesAndIsAudited(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let c = try await countedCampaign(app)
            let admin = c.token(.districtAdmin)
            func enter(_ name: String, _ scores: [String: Double], veto: String? = nil) async throws -> ReporteeResultDTO {
                let reply = try await call(app, .PUT, "\(c.base)/assessments/\(c.ids[name]!)", token: admin,
                                           json: AssessmentEntryRequest(scores: scores, veto: veto))
                #expect(reply.status == .ok, "\(reply.text)")
                return try reply.decode(ReporteeResultDTO.self)
            }
            // 40% evaluation, 30% daily, 20% target, 10% on-site
            let li = try await enter("李文静", ["daily": 95, "target": 90, "onsite": 92])
            #expect(close(li.assessment?.score, 95.7) && li.assessment?.grade == "good")
            let wangPartial = try await enter("王建华", ["daily": 90, "target": 80])
            #expect(wangPartial.assessment?.score == nil && wangPartial.assessment?.grade == nil)
            #expect(wangPartial.assessment?.missing == ["现场述职评分"])
            let wang = try await enter("王建华", ["daily": 90, "target": 80, "onsite": 85])
            #expect(close(wang.assessment?.score, 83.1) && wang.assessment?.grade == "fairly_good")
            let zhang = try await enter("张国强", ["daily": 100, "target": 100, "onsite": 100], veto: "违反廉洁纪律受到处分")
            #expect(close(zhang.assessment?.score, 82) && zhang.assessment?.grade == "poor")
            #expect(zhang.assessment?.notes.contains { $0.contains("一票否决") } == true)
            let audit = try await AuditEntry.query(on: app.db).filter(\.$action == "assessment.entry").all()
            #expect(audit.count == 4 && audit.contains { $0.summary.contains("一票否决") && $0.after?.contains("违反廉洁纪律") == true })
            // Weights change the outcome.
            let reweighted = try await call(app, .PUT, "\(c.base)/assessment-weights", token: admin,
                                            json: AssessmentWeightsRequest(weights: ["evaluation": 1, "daily": 1])).decode(ResultsDTO.self)
            let li2 = reweighted.reportees.first { $0.name == "李文静" }
            #expect(close(li2?.assessment?.score, 97.5) && li2?.assessment?.parts.count == 2)
        }
    }

    @Test func badAssessmentInputIsRefusedAndChangesNothing() async throws {
        try await withApp(.sqlite) { app in
            let c = try await countedCampaign(app)
            let admin = c.token(.districtAdmin)
            let url = "\(c.base)/assessments/\(c.ids["王建华"]!)"
            try expectError(try await call(app, .PUT, url, token: admin, json: AssessmentEntryRequest(scores: ["daily": 101], veto: nil)), .unprocessableEntity)
            try expectError(try await call(app, .PUT, url, token: admin, json: AssessmentEntryRequest(scores: ["daily": -1], veto: nil)), .unprocessableEntity)
            try expectError(try await call(app, .PUT, url, token: admin, json: AssessmentEntryRequest(scores: ["evaluation": 90], veto: nil)), .unprocessableEntity)
            try expectError(try await call(app, .PUT, url, token: admin, json: AssessmentEntryRequest(scores: ["bonus": 1], veto: nil)), .unprocessableEntity)
            try expectError(try await call(app, .PUT, url, token: admin, json: AssessmentEntryRequest(scores: [:], veto: "   ")), .unprocessableEntity)
            try expectError(try await call(app, .PUT, url, token: admin, raw: Data("{\"scores\": {\"daily\": \"九十\"}}".utf8), headers: ["Content-Type": "application/json"]), .badRequest)
            try expectError(try await call(app, .PUT, "\(c.base)/assessments/\(UUID())", token: admin, json: AssessmentEntryRequest(scores: [:], veto: nil)), .notFound)
            try expectError(try await call(app, .PUT, url, token: c.token(.chair), json: AssessmentEntryRequest(scores: [:], veto: nil)), .forbidden)
            try expectError(try await call(app, .PUT, url, token: c.token(.townAdmin), json: AssessmentEntryRequest(scores: [:], veto: nil)), .notFound)
            for weights in [["evaluation": -1.0], ["evaluation": 0], ["bogus": 1], [:]] {
                try expectError(try await call(app, .PUT, "\(c.base)/assessment-weights", token: admin, json: AssessmentWeightsRequest(weights: weights)), .unprocessableEntity)
            }
            #expect(try await AssessmentRecord.query(on: app.db).count() == 0)
            #expect(try await Campaign.find(c.box.world.campaign.id, on: app.db)?.storedAssessmentRules == nil)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action ~~ ["assessment.entry", "assessment.weights"]).count() == 0)
        }
    }

    @Test(arguments: TestDatabase.available)
    func publicationShowsChosenResultsForItsPeriodAndOpensOwnSheets(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let c = try await countedCampaign(app)
            let admin = c.token(.districtAdmin)
            let wangSheet = "\(c.base)/results/\(c.ids["王建华"]!)"
            // Before publication: the secretary (linked to 王建华) may not read it; nobody else ever may.
            try expectError(try await call(app, .GET, wangSheet, token: c.token(.reportee)), .forbidden)
            try expectError(try await call(app, .GET, wangSheet, token: c.token(.chair)), .forbidden)
            try expectError(try await call(app, .GET, wangSheet, token: c.token(.otherReportee)), .notFound)
            try expectError(try await call(app, .GET, "\(c.base)/results", token: c.token(.reportee)), .forbidden)
            // Refused publications change nothing.
            let good = PublicationRequest(title: nil, reporteeIDs: [UUID(uuidString: c.ids["李文静"]!)!, UUID(uuidString: c.ids["王建华"]!)!], days: 5)
            for bad in [PublicationRequest(title: nil, reporteeIDs: good.reporteeIDs, days: 0),
                        PublicationRequest(title: nil, reporteeIDs: good.reporteeIDs, days: 31),
                        PublicationRequest(title: nil, reporteeIDs: [], days: 5),
                        PublicationRequest(title: "  ", reporteeIDs: good.reporteeIDs, days: 5),
                        PublicationRequest(title: nil, reporteeIDs: [good.reporteeIDs[0], good.reporteeIDs[0]], days: 5)] {
                try expectError(try await call(app, .POST, "\(c.base)/publications", token: admin, json: bad), .unprocessableEntity)
            }
            try expectError(try await call(app, .POST, "\(c.base)/publications", token: admin,
                                            json: PublicationRequest(title: nil, reporteeIDs: [UUID()], days: 5)), .notFound)
            try expectError(try await call(app, .POST, "\(c.base)/publications", token: c.token(.chair), json: good), .forbidden)
            #expect(try await Publication.query(on: app.db).count() == 0)
            #expect(try await Campaign.find(c.box.world.campaign.id, on: app.db)?.status == .meeting)
            // Publish two of three.
            let published = try await call(app, .POST, "\(c.base)/publications", token: admin, json: good)
            #expect(published.status == .created)
            let publication = try published.decode(PublicationDTO.self)
            #expect(publication.showing && publication.rows.map(\.name) == ["李文静", "王建华"])
            #expect(try await Campaign.find(c.box.world.campaign.id, on: app.db)?.status == .published)
            // The public sees it without logging in, with the counted numbers.
            let notices = try await call(app, .GET, "api/v1/notices").decode([PublicNoticeDTO].self)
            #expect(notices.count == 1 && notices[0].organization == "**区委")
            let notice = try await call(app, .GET, "api/v1/notices/\(publication.id)").decode(PublicNoticeDTO.self)
            #expect(notice.rows.map(\.evaluationGrade) == ["好", "一般"] && close(notice.rows[1].goodRate, 5.0 / 7) && notice.rows[1].rank == 2)
            #expect(!notice.rows.contains { $0.name == "张国强" })
            // The secretary now reads their own sheet, and only theirs.
            let own = try await call(app, .GET, wangSheet, token: c.token(.reportee)).decode(ResultSheetDTO.self)
            #expect(own.reportee.name == "王建华" && close(own.reportee.composite, 79))
            try expectError(try await call(app, .GET, "\(c.base)/results/\(c.ids["李文静"]!)", token: c.token(.reportee)), .forbidden)
            let chart = try await call(app, .GET, "\(wangSheet)/charts/grades", token: c.token(.reportee))
            #expect(chart.status == .ok && chart.headers.contentType?.subType == "svg+xml" && chart.text.contains("<svg"))
            let mine = try await call(app, .GET, "api/v1/me/results", token: c.token(.reportee)).decode([MyResultDTO].self)
            #expect(mine.count == 1 && mine[0].published && mine[0].reporteeID.uuidString == c.ids["王建华"])
            // Withdrawn: gone from the public; withdrawing twice is refused.
            _ = try await call(app, .POST, "\(c.base)/publications/\(publication.id)/withdraw", token: admin)
            try expectError(try await call(app, .GET, "api/v1/notices/\(publication.id)"), .notFound)
            #expect(try await call(app, .GET, "api/v1/notices").decode([PublicNoticeDTO].self).isEmpty)
            try expectError(try await call(app, .POST, "\(c.base)/publications/\(publication.id)/withdraw", token: admin), .conflict)
            try expectError(try await call(app, .GET, "api/v1/notices/\(UUID())"), .notFound)
        }
    }

    /// Issue 17: the notice's issuing body, contact and wording are chosen when publishing; without them the notice reads
    /// "…组织部门" (not "…党委党（工）委组织部门"); bad wording is refused and publishes nothing.
    @Test(arguments: TestDatabase.available)
    func aNoticeCarriesItsIssuerContactAndWording(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let c = try await countedCampaign(app)
            let admin = c.token(.districtAdmin)
            let ids = [UUID(uuidString: c.ids["李文静"]!)!]
            for bad in [PublicationRequest(reporteeIDs: ids, days: 5, issuer: String(repeating: "部", count: 101)),
                        PublicationRequest(reporteeIDs: ids, days: 5, issuer: "  "),
                        PublicationRequest(reporteeIDs: ids, days: 5, contact: "电话\u{0}"),
                        PublicationRequest(reporteeIDs: ids, days: 5, objectionText: String(repeating: "异", count: 501))] {
                try expectError(try await call(app, .POST, "\(c.base)/publications", token: admin, json: bad), .unprocessableEntity)
            }
            #expect(try await Publication.query(on: app.db).count() == 0)
            let chosen = try await call(app, .POST, "\(c.base)/publications", token: admin, json: PublicationRequest(
                reporteeIDs: ids, days: 5, issuer: "中共**区委组织部", contact: "联系电话 0000-1234567",
                objectionText: "如有异议，请于公示期内向区委组织部干部科反映。")).decode(PublicationDTO.self)
            let notice = try await call(app, .GET, "api/v1/notices/\(chosen.id)").decode(PublicNoticeDTO.self)
            #expect(notice.issuer == "中共**区委组织部" && notice.contact == "联系电话 0000-1234567")
            #expect(notice.objectionText == "如有异议，请于公示期内向区委组织部干部科反映。")
            let plain = try await call(app, .POST, "\(c.base)/publications", token: admin,
                                       json: PublicationRequest(reporteeIDs: ids, days: 5)).decode(PublicationDTO.self)
            let standard = try await call(app, .GET, "api/v1/notices/\(plain.id)").decode(PublicNoticeDTO.self)
            #expect(standard.issuer == "**区委组织部门" && standard.contact == nil)
            #expect(standard.objectionText.contains("向**区委组织部门反映") && !standard.objectionText.contains("党（工）委"))
        }
    }

    @Test func aNoticeEndsWithItsPeriod() async throws {
        try await withApp(.sqlite) { app in
            let c = try await countedCampaign(app)
            let reply = try await call(app, .POST, "\(c.base)/publications", token: c.token(.districtAdmin),
                                       json: PublicationRequest(title: "公示", reporteeIDs: [UUID(uuidString: c.ids["李文静"]!)!], days: 1))
            let id = try reply.decode(PublicationDTO.self).id
            let stored = try #require(try await Publication.find(id, on: app.db))
            stored.endsAt = Date().addingTimeInterval(-1)
            try await stored.save(on: app.db)
            try expectError(try await call(app, .GET, "api/v1/notices/\(id)"), .notFound)
            #expect(try await call(app, .GET, "api/v1/notices").decode([PublicNoticeDTO].self).isEmpty)
        }
    }

    @Test func theExportsCarryTheCountedNumbers() async throws {
        try await withApp(.sqlite) { app in
            let c = try await countedCampaign(app)
            let admin = c.token(.districtAdmin)
            let xlsx = try await call(app, .GET, "\(c.base)/results.xlsx", token: admin)
            #expect(xlsx.status == .ok && xlsx.headers.first(name: .contentDisposition)?.contains("filename*=UTF-8''") == true)
            let rows = try XLSXReader.firstSheet(Data(buffer: xlsx.body))
            #expect(rows[0].fields.prefix(8) == ["名次", "姓名", "单位", "职务", "民主评议得分", "好评率", "差评率", "评议等次"])
            #expect(rows[1].fields.prefix(2) == ["1", "李文静"] && rows[1].fields[4] == "100" && rows[1].fields[7] == "好")
            #expect(rows[2].fields[1] == "王建华" && rows[2].fields[4] == "79" && abs(Double(rows[2].fields[5])! - 5.0 / 7) < 1e-9 && rows[2].fields[7] == "一般")
            // 党建工作 overall of 王建华: 好 4, 较好 1, 一般 1, 差 1, 弃权 1, 废票 0
            #expect(Array(rows[2].fields[8..<14]) == ["4", "1", "1", "1", "1", "0"])
            #expect(rows.count == 12) // header + 11 secretaries
            let csv = try await call(app, .GET, "\(c.base)/results.csv", token: admin)
            #expect(csv.body.readableBytesView.starts(with: [0xEF, 0xBB, 0xBF]))
            let records = try CSV.parse(csv.text)
            #expect(records[2].fields[1] == "王建华" && records[2].fields[4] == "79.00" && records[2].fields[5] == "71.4%")
            try expectError(try await call(app, .GET, "\(c.base)/results.xlsx", token: c.token(.chair)), .forbidden)
            try expectError(try await call(app, .GET, "\(c.base)/results.csv", token: c.token(.townAdmin)), .notFound)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "results.export").count() == 2)
        }
    }

    @Test func historyAndTheOverviewSpanCampaigns() async throws {
        try await withApp(.sqlite) { app in
            let c = try await countedCampaign(app)
            let admin = c.token(.districtAdmin)
            let history = try await call(app, .GET, "\(c.base)/results/\(c.ids["王建华"]!)/history", token: admin).decode([HistoryEntryDTO].self)
            #expect(history.count == 1 && history[0].rank == 2 && history[0].rankedCount == 3)
            // A copy for next year, not yet counted: the overview lists both; the history still has one counted year.
            let copy = try await call(app, .POST, "api/v1/campaigns", token: admin, json: CampaignCreateRequest(
                title: "下一年度述职评议", year: c.box.world.campaign.year + 1, level: "district", orgUnitID: c.box.world.district.id!,
                copyFrom: c.box.world.campaign.id))
            #expect(copy.status == .created)
            let overview = try await call(app, .GET, "api/v1/overview", token: admin).decode([CampaignOverviewDTO].self)
            #expect(overview.count == 2)
            let counted = try #require(overview.first { $0.counted })
            #expect(counted.grades == ["good": 1, "average": 1, "poor": 1] && counted.flagged == 1 && counted.reportees == 11)
            #expect(close(counted.averageComposite, (100 + 79 + 55) / 3.0))
            try expectError(try await call(app, .GET, "api/v1/overview", token: c.token(.chair)), .forbidden)
            #expect(try await call(app, .GET, "api/v1/overview", token: c.token(.townAdmin)).decode([CampaignOverviewDTO].self).isEmpty)
        }
    }
}
