@testable import App
import Fluent
import Foundation
import PingyiCore
import Testing
import Vapor

/// Issue 24, the other four 公文: 会议通知 (from 筹备 on), 会议纪要 (from the minutes' read model), 整改通知书 per
/// 责任单位 and the landscape 整改台账. Every figure is the API's; hostile text is escaped; no meeting or no items → 409.
extension ResultsTests {
    static let hostile = "A&B<甲>\"乙\"'丙'😀𠀀" + String(repeating: "很长的名字", count: 20)

    func documentReply(_ app: Application, _ path: String, token: String) async throws -> ReadDOCX {
        let reply = try await call(app, .GET, path, token: token)
        #expect(reply.status == .ok, "\(path): \(reply.text.prefix(300))")
        #expect(reply.headers.contentType?.subType == "vnd.openxmlformats-officedocument.wordprocessingml.document")
        let document = try ReadDOCX(Data(buffer: reply.body))
        #expect(document.problems().isEmpty, "\(document.problems())")
        return document
    }

    /// `cells` as consecutive paragraphs (a table row read back).
    func hasRow(_ document: ReadDOCX, _ cells: [String]) -> Bool {
        let p = document.paragraphs
        return p.indices.contains { i in i + cells.count <= p.count && Array(p[i..<i + cells.count]) == cells }
    }

    @Test(arguments: TestDatabase.available)
    func theMeetingNoticeCallsTheParticipantsOfTheAPI(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let admin = world.token(.districtAdmin)
            let base = "api/v1/campaigns/\(world.campaignID)"
            try await Participant(campaignID: world.campaign.id!, name: Self.hostile, unitName: "单位<&>", role: .observer,
                                  raterGroupID: nil, position: 999).save(on: app.db)
            // 筹备: the notice is there; the minutes are not (the meeting has not started).
            let place = "区委\"大\"会议室<3楼>&".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let notice = try await documentReply(app, "\(base)/documents/meeting-notice.docx?time=2026%E5%B9%B412%E6%9C%8810%E6%97%A5&place=\(place)&date=2026-12-04",
                                                 token: admin)
            #expect(notice.paragraphs.contains("2026年12月10日") && notice.paragraphs.contains("区委\"大\"会议室<3楼>&"))
            #expect(notice.parts["word/document.xml"]!.contains("区委&quot;大&quot;会议室&lt;3楼&gt;&amp;"))
            let people = try await call(app, .GET, "\(base)/participants", token: admin).decode([ParticipantDTO].self)
            let groups = try await RaterGroup.query(on: app.db).all()
            let groupName = Dictionary(uniqueKeysWithValues: groups.map { ($0.id!, $0.name) })
            for (role, heading) in [("attendee", "（一）出席人员"), ("observer", "（二）列席人员")] {
                let count = people.filter { $0.role == role }.count
                #expect(notice.paragraphs.contains("\(heading)（\(count)人）"), "\(heading) \(count)")
            }
            // 附件: every participant, 出席 then 列席 then 指导, with the API's unit, role and group.
            let ordered = ["attendee", "observer", "guest"].flatMap { role in people.filter { $0.role == role } }
            for (index, person) in ordered.enumerated() {
                let row = [String(index + 1), person.name, person.unitName, person.roleLabel,
                           person.raterGroupID.flatMap { groupName[$0] } ?? "—"]
                #expect(hasRow(notice, row), "\(row)")
            }
            #expect(notice.paragraphs.contains("附件") && notice.paragraphs.contains("参会人员名单"))
            #expect(notice.text.contains(Self.hostile))
            try expectError(try await call(app, .GET, "\(base)/documents/minutes.docx", token: admin), .conflict)
            try expectError(try await call(app, .GET, "\(base)/documents/meeting-notice.docx", token: world.token(.chair)), .forbidden)
            try expectError(try await call(app, .GET, "\(base)/documents/meeting-notice.docx?place=\(String(repeating: "长", count: 201))",
                                        token: admin), .unprocessableEntity)
        }
    }

    @Test(arguments: TestDatabase.available)
    func theMinutesAreTheMinutesPage(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let c = try await countedCampaign(app)
            let admin = c.token(.districtAdmin)
            let minutes = try await call(app, .GET, "\(c.base)/minutes", token: admin).decode(MinutesDTO.self)
            let document = try await documentReply(app, "\(c.base)/documents/minutes.docx", token: admin)
            #expect(document.paragraphs.contains("\(minutes.title)会议纪要"))
            #expect(document.text.contains("应到评议人\(minutes.attendance.attendeesExpected)人，实到\(minutes.attendance.attendeesPresent)人"))
            for group in minutes.attendance.attendance.groups {
                #expect(hasRow(document, [group.name, String(group.expected), String(group.present)]), "\(group)")
            }
            for s in minutes.speakers {
                #expect(hasRow(document, [String(s.position), s.name, "\(s.unitName) \(s.title)", s.limitText]), "\(s.name)")
                #expect(document.paragraphs.contains(s.durationText + (s.overtime ? "（超时）" : "")))
            }
            for name in minutes.writtenReportees { #expect(document.text.contains(name)) }
            #expect(!minutes.rounds.isEmpty)
            for r in minutes.rounds {
                #expect(hasRow(document, ["第\(r.number)轮", r.stateLabel, String(r.issued), String(r.returned),
                                          r.valid.map(String.init) ?? "—", r.void.map(String.init) ?? "—", r.verdictLabel ?? "—"]))
                #expect(document.text.contains("第\(r.number)轮：发出评议票\(r.issued)张，收回\(r.returned)张"))
            }
            #expect(document.text.contains("五、会议决定") && document.text.contains("以第1轮计票结果作为本次民主评议结果"))
            try expectError(try await call(app, .GET, "\(c.base)/documents/minutes.docx", token: c.token(.chair)), .forbidden)
        }
    }

    @Test(arguments: TestDatabase.available)
    func theLedgerDocumentsListTheLedgerAPIItems(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let admin = world.token(.districtAdmin)
            let base = "api/v1/campaigns/\(world.campaignID)/documents"
            for path in ["rectification-notices.docx", "ledger.docx"] {
                let reply = try await call(app, .GET, "\(base)/\(path)", token: admin)
                try expectError(reply, .conflict)
                #expect(reply.text.contains("尚无整改事项"))
            }
            let hostileUnit = String(Self.hostile.prefix(95))
            let units = [hostileUnit, "乙单位", hostileUnit]
            for (index, unit) in units.enumerated() {
                let reply = try await call(app, .POST, "api/v1/rectification", token: admin, json: RectificationItemRequest(
                    orgUnitID: world.district.id, campaignID: world.campaign.id, source: "evaluation_result", category: "党建<工作>",
                    problem: "问题\(index)：\(Self.hostile)", plan: "措施\(index)&", linkedLeader: "领导\(index)", responsibleUnit: unit,
                    responsiblePerson: "责任人\(index)", deadline: "2099-0\(index + 1)-15"))
                #expect(reply.status == .created || reply.status == .ok, "\(reply.text)")
            }
            let items = try await call(app, .GET, "api/v1/rectification?campaign=\(world.campaignID)", token: admin)
                .decode([RectificationItemDTO].self)
            #expect(items.count == 3)

            // 整改通知书: one section per 责任单位, the six parts of each item.
            let notices = try await documentReply(app, "\(base)/rectification-notices.docx", token: admin)
            #expect(notices.paragraphs.filter { $0 == "整改通知书" }.count == 2)
            #expect(notices.parts["word/document.xml"]!.components(separatedBy: "<w:sectPr>").count - 1 == 2)
            #expect(notices.paragraphs.contains("\(hostileUnit)：") && notices.paragraphs.contains("乙单位："))
            for item in items {
                #expect(notices.paragraphs.contains("问题表现：\(item.problem)"))
                #expect(notices.paragraphs.contains("整改目标与措施：\(item.plan)"))
                #expect(notices.paragraphs.contains("挂钩领导：\(item.linkedLeader)"))
                #expect(notices.paragraphs.contains("责任单位和责任人：\(item.responsibleUnit)，\(item.responsiblePerson)"))
                #expect(notices.paragraphs.contains("完成时限：\(try OfficialPapers.chineseDate(item.deadline))"))
            }
            #expect(notices.text.contains("现将你单位需要整改的2个问题") && notices.text.contains("现将你单位需要整改的1个问题"))
            let one = try await documentReply(app, "\(base)/rectification-notices.docx?unit=%E4%B9%99%E5%8D%95%E4%BD%8D", token: admin)
            #expect(one.paragraphs.filter { $0 == "整改通知书" }.count == 1 && one.paragraphs.contains("乙单位："))
            #expect(!one.paragraphs.contains("\(hostileUnit)："))
            try expectError(try await call(app, .GET, "\(base)/rectification-notices.docx?unit=%E6%B2%A1%E6%9C%89", token: admin), .conflict)

            // 整改台账: landscape A4, the header row repeated, no row split; a row per item with the API's fields.
            let ledger = try await documentReply(app, "\(base)/ledger.docx", token: admin)
            let xml = ledger.parts["word/document.xml"]!
            #expect(xml.contains("<w:pgSz w:w=\"16838\" w:h=\"11906\" w:orient=\"landscape\"/>"))
            #expect(xml.contains("<w:tblHeader/>") && xml.components(separatedBy: "<w:cantSplit/>").count - 1 >= items.count + 1)
            #expect(xml.contains("A&amp;B&lt;甲&gt;&quot;乙&quot;&apos;丙&apos;"))
            for (index, item) in items.enumerated() {
                let row = [String(index + 1), item.sourceLabel, item.problem, item.plan, item.linkedLeader, item.responsibleUnit,
                           item.responsiblePerson, try OfficialPapers.chineseDate(item.deadline), item.latestProgress ?? "", item.stateLabel]
                #expect(hasRow(ledger, row), "\(row)")
            }
            #expect(ledger.text.contains("共\(items.count)项"))
            for path in ["rectification-notices.docx", "ledger.docx"] {
                try expectError(try await call(app, .GET, "\(base)/\(path)", token: world.token(.chair)), .forbidden)
                try expectError(try await call(app, .GET, "\(base)/\(path)", token: world.token(.outsideChair)), .notFound)
            }
        }
    }
}
