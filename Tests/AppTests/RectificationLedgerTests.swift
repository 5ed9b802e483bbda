@testable import App
import Fluent
import Foundation
import PingyiCore
import Testing
import Vapor
import ZIPFoundation

@Suite("Rectification ledger over HTTP")
struct RectificationLedgerTests {
    static let comment = "抓党建责任落实到位，但村级集体经济发展仍需加力。"
    /// A tiny PNG (the 8-byte signature is what the upload checks).
    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 0x00, count: 64))

    struct Ledger {
        var world: World
        var wang: Reportee
        func token(_ account: WorldAccount) -> String { world.token(account) }
    }

    /// The demo in its meeting; 王建华 (linked to the `reportee` account) has spoken and the chair has commented.
    func commented(_ app: Application) async throws -> Ledger {
        let world = try await World.make(app)
        let base = "api/v1/campaigns/\(world.campaignID)"
        _ = try await call(app, .POST, "\(base)/status", token: world.token(.districtAdmin), json: ["status": "meeting"])
        _ = try await call(app, .GET, "\(base)/meeting", token: world.token(.chair))
        let wang = try #require(try await Reportee.query(on: app.db).filter(\.$name == "王建华").first())
        _ = try await call(app, .POST, "\(base)/speeches/\(wang.id!)/start", token: world.token(.chair))
        _ = try await call(app, .POST, "\(base)/speeches/\(wang.id!)/end", token: world.token(.chair))
        let reply = try await call(app, .POST, "\(base)/speeches/\(wang.id!)/comment", token: world.token(.chair), json: CommentRequest(text: Self.comment))
        #expect(reply.status == .ok)
        return Ledger(world: world, wang: wang)
    }

    func draftAndCreate(_ app: Application, _ l: Ledger) async throws -> RectificationDetailDTO {
        let draft = try await call(app, .GET, "api/v1/rectification/draft?from=comment&campaign=\(l.world.campaignID)&reportee=\(l.wang.id!)",
                                   token: l.token(.districtAdmin)).decode(RectificationItemRequest.self)
        #expect(draft.problem == Self.comment && draft.source == "chair_comment" && draft.ownerUserID == l.wang.$user.id)
        #expect(draft.responsiblePerson == "王建华" && draft.responsibleUnit == "**镇党委")
        var body = draft
        body.plan = "制定村级集体经济发展三年计划，年底前每村落实一个增收项目。"
        body.linkedLeader = "区委副书记 张某"
        let reply = try await call(app, .POST, "api/v1/rectification", token: l.token(.districtAdmin), json: body)
        #expect(reply.status == .created, "\(reply.text)")
        return try reply.decode(RectificationDetailDTO.self)
    }

    func act(_ app: Application, _ id: UUID, _ token: String, _ action: String, note: String? = nil, deadline: String? = nil) async throws -> Reply {
        try await call(app, .POST, "api/v1/rectification/\(id)/actions", token: token,
                       json: RectificationActionRequest(action: action, note: note, deadline: deadline))
    }

    /// Issue 23's walk: 回头看 after 销号 can confirm the fix — the item stays closed (its 销号日期 too), the look-back is in
    /// its history, and the public 整改成果 column shows what was done and confirmed, not the feedback mechanism text.
    @Test(arguments: TestDatabase.available)
    func aLookBackThatConfirmsTheFixIsRecordedAndPublishedAsTheResult(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // setup: an item worked and closed
            let l = try await commented(app)
            let created = try await draftAndCreate(app, l)
            let id = created.item.id
            let owner = l.token(.reportee), admin = l.token(.districtAdmin)
            try await workToClosed(app, l, id)
            let closed = try await call(app, .GET, "api/v1/rectification/\(id)", token: admin).decode(RectificationDetailDTO.self)
            #expect(closed.item.state == "closed")
            // call: the owner may not confirm their own fix, a look-back needs what was found, then the department confirms
            try expectError(try await act(app, id, owner, "confirm", note: "我已整改好"), .forbidden)
            try expectError(try await act(app, id, admin, "confirm", note: " "), .unprocessableEntity)
            let reply = try await act(app, id, admin, "confirm", note: "回访 5 个村，增收项目均已见效")
            #expect(reply.status == .ok, "\(reply.text)")
            let edit = try reply.decode(RectificationDetailDTO.self)
            // check
            #expect(edit.item.state == "closed" && edit.item.closedAt == closed.item.closedAt && edit.item.reopenCount == 0)
            #expect(edit.item.actions == ["reopen", "confirm"])
            #expect(edit.events.last?.action == "confirm" && edit.events.last?.note == "回访 5 个村，增收项目均已见效")
            #expect(edit.events.last?.actor == "districtAdmin")
            let notice = try await call(app, .GET, "api/v1/notices/rectification").decode([PublicRectificationDTO].self)
            #expect(notice.count == 1)
            #expect(notice.first?.result == "每村落实一个增收项目；回头看确认：回访 5 个村，增收项目均已见效")
            #expect(notice.first?.feedback == created.item.feedback)
            // (a reopening after it, other states and two at once: aLookBackConfirmationOnlyOnAClosedItemAndAtOnce)
        }
    }

    /// Issue 23's walk: the clerk picks 责任单位 from the org tree; the item is named after them and the dashboard (and the
    /// unit filter) counts it under each, while an item with free text only stays where it was filed.
    @Test(arguments: TestDatabase.available)
    func pickedResponsibleUnitsAreWhereTheDashboardCountsTheItem(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // setup: an item from a comment (free text 责任单位), and the two towns
            let l = try await commented(app)
            let old = try await draftAndCreate(app, l)
            let admin = l.token(.districtAdmin)
            let town = l.world.town.id!, otherTown = l.world.otherTown.id!
            // call
            var body = RectificationItemRequest(orgUnitID: l.world.district.id, source: "inspection", problem: "两镇联建项目推进慢",
                                                plan: "明确分工，按月调度", linkedLeader: "张某", responsibleUnit: "", responsiblePerson: "李某",
                                                deadline: CalendarDay.day(Date().addingTimeInterval(40 * 86_400)))
            body.responsibleUnitIDs = [town, otherTown, town]
            let reply = try await call(app, .POST, "api/v1/rectification", token: admin, json: body)
            #expect(reply.status == .created, "\(reply.text)")
            let created = try reply.decode(RectificationDetailDTO.self).item
            // check: named after the picks, each once; the dashboard counts it under both towns
            #expect(created.responsibleUnitIDs == [town, otherTown] && created.responsibleUnit == "**镇党委、**乡党委")
            #expect(old.item.responsibleUnitIDs.isEmpty)
            let dashboard = try await call(app, .GET, "api/v1/rectification/dashboard", token: admin).decode([LedgerDashboardRowDTO].self)
            let byUnit = Dictionary(uniqueKeysWithValues: dashboard.map { ($0.orgUnitID, $0.open) })
            #expect(byUnit[otherTown] == 1 && byUnit[old.item.orgUnitID] != nil && dashboard.map(\.open).reduce(0, +) == 3)
            #expect(byUnit[l.world.district.id!] == (old.item.orgUnitID == l.world.district.id! ? 1 : nil), "\(dashboard)")
            let filtered = try await call(app, .GET, "api/v1/rectification?unit=\(otherTown)", token: admin).decode([RectificationItemDTO].self)
            #expect(filtered.map(\.id) == [created.id])
            // out of scope, too many, and clearing the picks keeps the typed name
            body.responsibleUnitIDs = [otherTown]
            body.orgUnitID = town
            try expectError(try await call(app, .POST, "api/v1/rectification", token: l.token(.townAdmin), json: body), .notFound)
            body.responsibleUnitIDs = (0...20).map { _ in UUID() }
            try expectError(try await call(app, .POST, "api/v1/rectification", token: admin, json: body), .unprocessableEntity)
            let cleared = try await call(app, .PATCH, "api/v1/rectification/\(created.id)", token: admin,
                                         json: RectificationItemRequest(responsibleUnit: "两镇联建办", responsibleUnitIDs: []))
            #expect(cleared.status == .ok, "\(cleared.text)")
            let item = try cleared.decode(RectificationDetailDTO.self).item
            #expect(item.responsibleUnitIDs.isEmpty && item.responsibleUnit == "两镇联建办")
            // the same pick sent twice at once (a double click): both answer the same, the item holds it once
            async let first = call(app, .PATCH, "api/v1/rectification/\(created.id)", token: admin, json: RectificationItemRequest(responsibleUnitIDs: [otherTown]))
            async let second = call(app, .PATCH, "api/v1/rectification/\(created.id)", token: admin, json: RectificationItemRequest(responsibleUnitIDs: [otherTown]))
            let replies = [try await first, try await second]
            #expect(replies.allSatisfy { $0.status == .ok }, "\(replies.map(\.status))")
            let stored = try #require(try await RectificationItem.find(created.id, on: app.db))
            #expect(stored.responsibleUnitIDs == [otherTown] && stored.responsibleUnit == "**乡党委")
            // a closed item's 责任单位 cannot be changed
            try await workToClosed(app, l, old.item.id)
            try expectError(try await call(app, .PATCH, "api/v1/rectification/\(old.item.id)", token: admin,
                                            json: RectificationItemRequest(responsibleUnitIDs: [town])), .conflict)
            #expect(try await RectificationItem.find(old.item.id, on: app.db)?.responsibleUnitIDs == [])
        }
    }

    /// The owner acknowledges, reports, uploads evidence and asks to close; the district approves (已销号).
    func workToClosed(_ app: Application, _ l: Ledger, _ id: UUID) async throws {
        let owner = l.token(.reportee)
        #expect(try await act(app, id, owner, "acknowledge").status == .ok)
        #expect(try await act(app, id, owner, "progress", note: "召开专题会议").status == .ok)
        #expect(try await call(app, .POST, "api/v1/rectification/\(id)/evidence", token: owner, raw: Self.png).status == .created)
        #expect(try await act(app, id, owner, "request_close", note: "每村落实一个增收项目").status == .ok)
        #expect(try await act(app, id, l.token(.districtAdmin), "approve_close").status == .ok)
    }

    /// 回头看确认 only on a closed item (409 in every open state, nothing recorded); two confirmations sent at once are
    /// two look-backs recorded (like two progress reports, it changes no state); a confirmation racing a reopening either
    /// lands before it or is refused (409), never on the reopened item.
    @Test(arguments: TestDatabase.available)
    func aLookBackConfirmationOnlyOnAClosedItemAndAtOnce(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // setup
            let l = try await commented(app)
            let id = try await draftAndCreate(app, l).item.id
            let owner = l.token(.reportee), admin = l.token(.districtAdmin), sysadmin = l.token(.sysadmin)
            // call / check: every open state refuses it
            func refusedNow() async throws {
                try expectError(try await act(app, id, admin, "confirm", note: "回访"), .conflict)
            }
            try await refusedNow()                                                   // 已下发
            #expect(try await act(app, id, owner, "acknowledge").status == .ok)
            try await refusedNow()                                                   // 已签收
            #expect(try await act(app, id, owner, "progress", note: "进展").status == .ok)
            try await refusedNow()                                                   // 整改中
            _ = try await call(app, .POST, "api/v1/rectification/\(id)/evidence", token: owner, raw: Self.png)
            #expect(try await act(app, id, owner, "request_close", note: "完成").status == .ok)
            try await refusedNow()                                                   // 申请销号
            #expect(try await RectificationEvent.query(on: app.db).filter(\.$action == "confirm").count() == 0)
            #expect(try await act(app, id, admin, "approve_close").status == .ok)
            // two at once: both recorded, the item stays closed with its 销号日期
            let closedAt = try #require(try await RectificationItem.find(id, on: app.db)?.closedAt)
            async let a = act(app, id, admin, "confirm", note: "回访一")
            async let b = act(app, id, sysadmin, "confirm", note: "回访二")
            let both = [try await a.status, try await b.status]
            #expect(both == [.ok, .ok], "\(both)")
            var stored = try #require(try await RectificationItem.find(id, on: app.db))
            #expect(stored.state == .closed && stored.closedAt == closedAt && stored.reopenCount == 0)
            #expect(try await RectificationEvent.query(on: app.db).filter(\.$action == "confirm").count() == 2)
            // a confirmation racing a reopening
            async let reopen = act(app, id, admin, "reopen", note: "一个村项目停摆")
            async let confirm = act(app, id, sysadmin, "confirm", note: "回访三")
            let (reopened, confirmed) = (try await reopen.status, try await confirm.status)
            #expect(reopened == .ok && (confirmed == .ok || confirmed == .conflict), "\(reopened) \(confirmed)")
            stored = try #require(try await RectificationItem.find(id, on: app.db))
            #expect(stored.state == .inProgress && stored.reopenCount == 1)
            let events = try await RectificationEvent.query(on: app.db).sort(\.$at).all().map(\.action).filter { $0 == "confirm" || $0 == "reopen" }
            #expect(events.last == "reopen" && events.count == (confirmed == .ok ? 4 : 3), "\(events)")
            // on the reopened item: refused, and the public notice no longer lists it
            try await refusedNow()
            #expect(try await call(app, .GET, "api/v1/notices/rectification").decode([PublicRectificationDTO].self).isEmpty)
        }
    }

    @Test(arguments: TestDatabase.available)
    func aCommentBecomesAnItemThatIsWorkedClosedAndReopened(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // setup
            let l = try await commented(app)
            let created = try await draftAndCreate(app, l)
            let id = created.item.id
            let owner = l.token(.reportee), admin = l.token(.districtAdmin)
            #expect(created.item.state == "issued" && created.item.actions.contains("acknowledge"))
            // call: the secretary signs, reports, uploads evidence, asks to close; the department rejects once, then closes.
            let mine = try await call(app, .GET, "api/v1/rectification", token: owner).decode([RectificationItemDTO].self)
            #expect(mine.map(\.id) == [id] && !mine[0].canEdit)
            #expect(try await act(app, id, owner, "acknowledge").status == .ok)
            #expect(try await act(app, id, owner, "progress", note: "已制定三年计划，召开专题会议。").status == .ok)
            try expectError(try await act(app, id, owner, "request_close", note: "已完成"), .unprocessableEntity)
            let upload = try await call(app, .POST, "api/v1/rectification/\(id)/evidence", token: owner, raw: Self.png,
                                        headers: ["X-File-Name": "%E7%85%A7%E7%89%87.png"])
            #expect(upload.status == .created)
            let evidence = try upload.decode(EvidenceDTO.self)
            #expect(evidence.fileName == "照片.png" && evidence.contentType == "image/png" && evidence.byteCount == Self.png.count)
            #expect(evidence.sha256 == "8c6806d8d6093084661ba908761d0bc076628c282907d140abe683606d5c0fdd") // sha256 of the bytes above
            let download = try await call(app, .GET, "api/v1/rectification/\(id)/evidence/\(evidence.id)", token: admin)
            #expect(Data(buffer: download.body) == Self.png && download.headers.first(name: "X-Checksum-SHA256") == evidence.sha256)
            #expect(try await act(app, id, owner, "request_close", note: "增收项目已落实").status == .ok)
            try expectError(try await act(app, id, owner, "approve_close"), .forbidden)
            try expectError(try await act(app, id, admin, "reject"), .unprocessableEntity)
            #expect(try await act(app, id, admin, "reject", note: "佐证材料不全").status == .ok)
            #expect(try await act(app, id, owner, "request_close", note: "已补充会议纪要").status == .ok)
            let closed = try await act(app, id, admin, "approve_close").decode(RectificationDetailDTO.self)
            #expect(closed.item.state == "closed" && closed.item.closedAt != nil && closed.item.actions == ["reopen", "confirm"])
            let notice = try await call(app, .GET, "api/v1/notices/rectification").decode([PublicRectificationDTO].self)
            #expect(notice.count == 1 && notice[0].problem == Self.comment && notice[0].unit == "**镇党委")
            try expectError(try await call(app, .POST, "api/v1/rectification/\(id)/evidence", token: owner, raw: Self.png), .conflict)
            // 回头看
            let reopened = try await act(app, id, admin, "reopen", note: "回头看发现项目进度滞后").decode(RectificationDetailDTO.self)
            // check
            #expect(reopened.item.state == "in_progress" && reopened.item.reopenCount == 1 && reopened.item.closedAt == nil)
            #expect(reopened.events.map(\.action) == ["create", "acknowledge", "progress", "evidence", "request_close", "reject",
                                                      "request_close", "approve_close", "reopen"])
            #expect(reopened.events.first { $0.action == "reject" }?.note == "佐证材料不全")
            #expect(reopened.events.first { $0.action == "approve_close" }?.actor == "districtAdmin")
            #expect(reopened.events.first { $0.action == "acknowledge" }?.actor == "reportee")
            #expect(try await call(app, .GET, "api/v1/notices/rectification").decode([PublicRectificationDTO].self).isEmpty)
            // The export: the ledger row, and the whole history on the second sheet.
            let xlsx = try await call(app, .GET, "api/v1/rectification.xlsx", token: admin)
            let data = Data(buffer: xlsx.body)
            let rows = try XLSXReader.firstSheet(data)
            #expect(rows[0].fields == LedgerTables.headers)
            #expect(rows[1].fields[1] == "述职点评" && rows[1].fields[2] == Self.comment && rows[1].fields[5] == "**镇党委/王建华")
            #expect(rows[1].fields[7].contains("已制定三年计划") && rows[1].fields[8].contains("照片.png") && rows[1].fields[9] == "整改中")
            #expect(rows[1].fields[10].contains("回头看重新整改 1 次"))
            let archive = try Archive(data: data, accessMode: .read)
            var history = Data()
            _ = try archive.extract(try #require(archive["xl/worksheets/sheet2.xml"])) { history.append($0) }
            let text = String(decoding: history, as: UTF8.self)
            for needle in ["回头看重新整改", "整改中 → 申请销号", "申请销号 → 已销号", "佐证材料不全", "同意销号"] {
                #expect(text.contains(needle), "history lacks \(needle)")
            }
        }
    }

    @Test func itemsFromResultsArePrefilledFromTheSheet() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            // No counted round yet: the draft says so.
            let wang = try #require(try await Reportee.query(on: app.db).filter(\.$name == "王建华").first())
            let url = "api/v1/rectification/draft?from=result&campaign=\(world.campaignID)&reportee=\(wang.id!)"
            try expectError(try await call(app, .GET, url, token: world.token(.districtAdmin)), .conflict)
            try expectError(try await call(app, .GET, "api/v1/rectification/draft?from=comment&campaign=\(world.campaignID)&reportee=\(wang.id!)",
                                            token: world.token(.districtAdmin)), .conflict)
            try expectError(try await call(app, .GET, "api/v1/rectification/draft?from=other&campaign=\(world.campaignID)&reportee=\(wang.id!)",
                                            token: world.token(.districtAdmin)), .badRequest)
            try expectError(try await call(app, .GET, "api/v1/rectification/draft?from=result&campaign=\(world.campaignID)&reportee=\(UUID())",
                                            token: world.token(.districtAdmin)), .notFound)
            try expectError(try await call(app, .GET, url, token: world.token(.chair)), .forbidden)
        }
    }

    @Test func aSecretarySeesAndTouchesOnlyTheirOwnItems() async throws {
        try await withApp(.sqlite) { app in
            let l = try await commented(app)
            let item = try await draftAndCreate(app, l).item
            for name in ["otherReportee", "outsideChair", "chair", "teller"] {
                try expectError(try await call(app, .GET, "api/v1/rectification/\(item.id)", token: l.world.token(named: name)), .notFound)
                try expectError(try await act(app, item.id, l.world.token(named: name), "acknowledge"), .notFound)
                try expectError(try await call(app, .POST, "api/v1/rectification/\(item.id)/evidence", token: l.world.token(named: name), raw: Self.png), .notFound)
                #expect(try await call(app, .GET, "api/v1/rectification", token: l.world.token(named: name)).decode([RectificationItemDTO].self).isEmpty)
            }
            // The town's admin follows up its own secretary; an admin of another town would not see it.
            #expect(try await call(app, .GET, "api/v1/rectification/\(item.id)", token: l.token(.townAdmin)).status == .ok)
            try expectError(try await call(app, .PATCH, "api/v1/rectification/\(item.id)", token: l.token(.reportee),
                                            json: RectificationItemRequest(problem: "改掉")), .forbidden)
            try expectError(try await call(app, .GET, "api/v1/rectification/dashboard", token: l.token(.reportee)), .forbidden)
            try expectError(try await call(app, .GET, "api/v1/rectification.xlsx", token: l.token(.reportee)), .forbidden)
            try expectError(try await call(app, .POST, "api/v1/rectification", token: l.token(.chair), json: RectificationItemRequest()), .forbidden)
            #expect(try await RectificationEvent.query(on: app.db).count() == 1)
            #expect(try await RectificationItem.find(item.id, on: app.db)?.state == .issued)
        }
    }

    @Test func everyRefusedInputChangesNothing() async throws {
        try await withApp(.sqlite) { app in
            let l = try await commented(app)
            let admin = l.token(.districtAdmin)
            let good = RectificationItemRequest(
                orgUnitID: nil, campaignID: l.world.campaign.id, reporteeID: l.wang.id, source: "inspection", category: "巡察",
                problem: "问题", plan: "措施", linkedLeader: "领导", responsibleUnit: "单位", responsiblePerson: "责任人", ownerUserID: nil,
                deadline: CalendarDay.day(Date().addingTimeInterval(10 * 86_400)), feedback: nil, publishWhenClosed: nil)
            var bad: [(RectificationItemRequest, HTTPStatus)] = []
            for key in ["problem", "plan", "linkedLeader", "responsibleUnit", "responsiblePerson", "deadline", "source"] {
                var body = good
                switch key {
                case "problem": body.problem = nil
                case "plan": body.plan = "   "
                case "linkedLeader": body.linkedLeader = nil
                case "responsibleUnit": body.responsibleUnit = ""
                case "responsiblePerson": body.responsiblePerson = nil
                case "deadline": body.deadline = nil
                default: body.source = nil
                }
                bad.append((body, .unprocessableEntity))
            }
            var wrong = good; wrong.source = "rumour"; bad.append((wrong, .unprocessableEntity))
            wrong = good; wrong.deadline = "2026-02-30"; bad.append((wrong, .unprocessableEntity))
            wrong = good; wrong.deadline = "2001-01-01"; bad.append((wrong, .unprocessableEntity))
            wrong = good; wrong.problem = String(repeating: "长", count: 2001); bad.append((wrong, .unprocessableEntity))
            wrong = good; wrong.campaignID = UUID(); bad.append((wrong, .notFound))
            wrong = good; wrong.reporteeID = UUID(); bad.append((wrong, .notFound))
            wrong = good; wrong.ownerUserID = UUID(); bad.append((wrong, .notFound))
            for (body, status) in bad {
                try expectError(try await call(app, .POST, "api/v1/rectification", token: admin, json: body), status)
            }
            var outside = good; outside.campaignID = nil; outside.reporteeID = nil; outside.orgUnitID = l.world.district.id
            try expectError(try await call(app, .POST, "api/v1/rectification", token: l.token(.townAdmin), json: outside), .notFound)
            try expectError(try await call(app, .POST, "api/v1/rectification", token: admin, raw: Data("{\"problem\": 3}".utf8),
                                            headers: ["Content-Type": "application/json"]), .badRequest)
            #expect(try await RectificationItem.query(on: app.db).count() == 0)
            // An item, then refused actions, uploads and filters.
            let item = try await call(app, .POST, "api/v1/rectification", token: admin, json: good).decode(RectificationDetailDTO.self).item
            let owner = admin
            try expectError(try await act(app, item.id, owner, "dance"), .unprocessableEntity)
            try expectError(try await act(app, item.id, owner, "approve_close"), .conflict)
            try expectError(try await act(app, item.id, owner, "progress", note: "x"), .conflict)
            try expectError(try await act(app, item.id, owner, "request_extension", note: "理由", deadline: "2026-13-01"), .unprocessableEntity)
            try expectError(try await act(app, item.id, owner, "request_extension", note: "理由", deadline: CalendarDay.day(Date())), .unprocessableEntity)
            try expectError(try await act(app, item.id, owner, "approve_extension"), .conflict)
            try expectError(try await act(app, UUID(), owner, "acknowledge"), .notFound)
            try expectError(try await call(app, .POST, "api/v1/rectification/\(item.id)/evidence", token: owner, raw: Data()), .unprocessableEntity)
            try expectError(try await call(app, .POST, "api/v1/rectification/\(item.id)/evidence", token: owner, raw: Data([0, 1, 2, 0xFF, 0xFE])),
                            .unsupportedMediaType)
            try expectError(try await call(app, .POST, "api/v1/rectification/\(item.id)/evidence", token: owner,
                                            raw: Data(repeating: 0x41, count: ReportFile.maxBytes + 10)), .payloadTooLarge)
            for query in ["state=done", "source=x", "overdue=yes", "unit=nope"] {
                try expectError(try await call(app, .GET, "api/v1/rectification?\(query)", token: admin), .badRequest)
            }
            try expectError(try await call(app, .PATCH, "api/v1/rectification/\(item.id)", token: admin,
                                            json: RectificationItemRequest(deadline: "tomorrow")), .unprocessableEntity)
            let stored = try #require(try await RectificationItem.find(item.id, on: app.db))
            #expect(stored.state == .issued && stored.evidenceCount == 0 && stored.pendingExtension == nil && stored.problem == "问题")
            #expect(try await RectificationEvent.query(on: app.db).count() == 1)
            #expect(try await RectificationEvidence.query(on: app.db).count() == 0)
        }
    }

    @Test(arguments: TestDatabase.available)
    func ofTwoConcurrentApprovalsOneWins(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let l = try await commented(app)
            let id = try await draftAndCreate(app, l).item.id
            let owner = l.token(.reportee), admin = l.token(.districtAdmin), sysadmin = l.token(.sysadmin)
            _ = try await act(app, id, owner, "acknowledge")
            _ = try await act(app, id, owner, "progress", note: "进展")
            _ = try await call(app, .POST, "api/v1/rectification/\(id)/evidence", token: owner, raw: Self.png)
            _ = try await act(app, id, owner, "request_close", note: "完成")
            async let a = act(app, id, admin, "approve_close")
            async let b = act(app, id, sysadmin, "reject", note: "不同意")
            let statuses = [try await a.status, try await b.status]
            #expect(statuses.filter { $0 == .ok }.count == 1, "\(statuses)")
            #expect(statuses.allSatisfy { $0 == .ok || $0 == .conflict })
            let events = try await RectificationEvent.query(on: app.db).filter(\.$action ~~ ["approve_close", "reject"]).count()
            #expect(events == 1)
        }
    }

    @Test func extensionsOverdueRemindersAndTheDashboard() async throws {
        try await withApp(.sqlite) { app in
            let l = try await commented(app)
            let id = try await draftAndCreate(app, l).item.id
            let owner = l.token(.reportee), admin = l.token(.districtAdmin)
            let stored = try #require(try await RectificationItem.find(id, on: app.db))
            stored.deadline = Date().addingTimeInterval(3 * 86_400)
            try await stored.save(on: app.db)
            var reminders = try await call(app, .GET, "api/v1/rectification/reminders", token: owner).decode(RemindersDTO.self)
            #expect(reminders.units.map(\.unit) == ["**镇党委"] && reminders.units[0].dueSoon == 1 && reminders.items.count == 1)
            let later = CalendarDay.day(Date().addingTimeInterval(60 * 86_400))
            #expect(try await act(app, id, owner, "request_extension", note: "项目审批未完成", deadline: later).status == .ok)
            try expectError(try await act(app, id, owner, "request_extension", note: "再延", deadline: later), .conflict)
            try expectError(try await act(app, id, owner, "approve_extension"), .forbidden)
            let approved = try await act(app, id, admin, "approve_extension").decode(RectificationDetailDTO.self)
            #expect(approved.item.deadline == later && approved.item.pendingExtension == nil && !approved.item.dueSoon)
            #expect(approved.events.last?.note.contains("同意延期至 \(later)") == true)
            // Overdue once the deadline has passed.
            stored.deadline = Date().addingTimeInterval(-60)
            stored.pendingExtension = nil
            try await stored.save(on: app.db)
            reminders = try await call(app, .GET, "api/v1/rectification/reminders", token: owner).decode(RemindersDTO.self)
            #expect(reminders.units[0].overdue == 1 && reminders.items[0].overdue)
            let overdue = try await call(app, .GET, "api/v1/rectification?overdue=true", token: admin).decode([RectificationItemDTO].self)
            #expect(overdue.map(\.id) == [id])
            #expect(try await call(app, .GET, "api/v1/rectification?overdue=false", token: admin).decode([RectificationItemDTO].self).isEmpty)
            #expect(try await call(app, .GET, "api/v1/rectification?state=issued&source=chair_comment", token: admin).decode([RectificationItemDTO].self).count == 1)
            #expect(try await call(app, .GET, "api/v1/rectification?state=closed", token: admin).decode([RectificationItemDTO].self).isEmpty)
            let dashboard = try await call(app, .GET, "api/v1/rectification/dashboard", token: admin).decode([LedgerDashboardRowDTO].self)
            #expect(dashboard.count == 1 && dashboard[0].open == 1 && dashboard[0].overdue == 1 && dashboard[0].closed == 0)
            let lines = try await reminderReport(on: app.db, now: Date())
            #expect(lines[0].contains("逾期 1 项") && lines[1].contains("**镇党委：逾期 1 项"))
        }
    }

    /// Finding 5: an admin who was the responsible person PATCHed their own deadline, and handed the item to someone
    /// else, then approved their own closing.
    @Test(arguments: TestDatabase.available)
    func theResponsibleAdminCannotMoveTheDeadlineOrApproveTheirOwnClosing(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let l = try await commented(app)
            let district = try await User.query(on: app.db).filter(\.$username == "districtAdmin").first()!
            var body = RectificationItemRequest(orgUnitID: l.world.district.id, source: "inspection", problem: "问题", plan: "措施",
                                                linkedLeader: "领导", responsibleUnit: "区委", responsiblePerson: "区管理员",
                                                ownerUserID: district.id, deadline: "2099-06-30")
            let created = try await call(app, .POST, "api/v1/rectification", token: l.token(.sysadmin), json: body).decode(RectificationDetailDTO.self)
            let id = created.item.id
            let admin = l.token(.districtAdmin), sysadmin = l.token(.sysadmin)
            // the responsible admin cannot move the deadline (nor can anyone, outside the extension flow)
            body = RectificationItemRequest(deadline: "2099-12-31")
            try expectError(try await call(app, .PATCH, "api/v1/rectification/\(id)", token: admin, json: body), .unprocessableEntity)
            try expectError(try await call(app, .PATCH, "api/v1/rectification/\(id)", token: sysadmin, json: body), .unprocessableEntity)
            #expect(try await RectificationItem.find(id, on: app.db)?.deadline == CalendarDay.endOfDay("2099-06-30"))
            // nor hand the item to someone else
            let reporteeUser = try await User.query(on: app.db).filter(\.$username == "reportee").first()!
            try expectError(try await call(app, .PATCH, "api/v1/rectification/\(id)", token: admin,
                                            json: RectificationItemRequest(ownerUserID: reporteeUser.id)), .forbidden)
            // another admin hands it over; the former owner still may not approve its closing
            #expect(try await call(app, .PATCH, "api/v1/rectification/\(id)", token: sysadmin,
                                   json: RectificationItemRequest(ownerUserID: reporteeUser.id)).status == .ok)
            let owner = l.token(.reportee)
            #expect(try await act(app, id, owner, "acknowledge").status == .ok)
            #expect(try await act(app, id, owner, "progress", note: "进展").status == .ok)
            _ = try await call(app, .POST, "api/v1/rectification/\(id)/evidence", token: owner, raw: Self.png, headers: ["X-File-Name": "a.png"])
            #expect(try await act(app, id, owner, "request_close", note: "已完成").status == .ok)
            try expectError(try await act(app, id, admin, "approve_close", note: "同意"), .forbidden)
            #expect(try await RectificationItem.find(id, on: app.db)?.state == .closeRequested)
            #expect(try await act(app, id, sysadmin, "approve_close", note: "同意").status == .ok)
        }
    }
}
