@testable import App
import Fluent
import Foundation
import PingyiCore
import Testing
import Vapor

/// Issue 17 point 4: secretaries use their accounts — reportees come from a file, and an account is linked to a
/// reportee from the page even after publication (it changes no ballot), while everything else stays locked.
@Suite("Secretaries' accounts and the reportee list")
struct SecretaryAccountTests: BallotBoxHelpers {
    @Test(arguments: TestDatabase.available)
    func aReporteeListImportsWholeOrNotAtAll(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let base = "api/v1/campaigns/\(world.campaignID)"
            let admin = world.token(.districtAdmin)
            let before = try await Reportee.query(on: app.db).filter(\.$campaign.$id == world.campaign.id!).count()
            // a bad file: each line named, nothing stored
            let bad = "姓名,单位,职务,述职方式,时限（分钟）\n赵一,区委办,主任,会上,8\n,区财政局,,书面,\n孙三,,,口头,\n李四,区委组织部,,会上,90\n"
            let refused = try await call(app, .POST, "\(base)/reportees/import", token: admin, raw: Data(bad.utf8))
            #expect(refused.status == .unprocessableEntity)
            let issues = try refused.decode(ImportErrorDTO.self).issues
            #expect(issues.map(\.line) == [3, 4, 4, 5])
            #expect(issues.contains { $0.message.contains("述职方式“口头”无效") } && issues.contains { $0.message.contains("时限“90”无效") })
            #expect(try await Reportee.query(on: app.db).filter(\.$campaign.$id == world.campaign.id!).count() == before)
            // a good file (BOM, default mode and limit): appended in order
            let good = "\u{FEFF}姓名,单位,职务,述职方式,时限（分钟）\n赵一,**村党支部,村党支部书记,会上述职,10\n钱二,**社区党委,社区党委书记,书面,\n孙三,**村党总支,,,\n"
            let reply = try await call(app, .POST, "\(base)/reportees/import", token: admin, raw: Data(good.utf8))
            #expect(reply.status == .created, "\(reply.text)")
            #expect(try reply.decode(ImportResultDTO.self).imported == 3)
            let detail = try await call(app, .GET, base, token: admin).decode(CampaignDetailDTO.self)
            let added = Array(detail.reportees.suffix(3))
            #expect(added.map(\.name) == ["赵一", "钱二", "孙三"] && added.map(\.position) == [before + 1, before + 2, before + 3])
            #expect(added.map(\.mode) == ["onsite", "written", "onsite"] && added.map(\.timeLimitSeconds) == [600, 480, 480])
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "reportee.import").count() == 1)
            // only admins of the campaign, only in 筹备
            try expectError(try await call(app, .POST, "\(base)/reportees/import", token: world.token(.chair), raw: Data(good.utf8)), .forbidden)
            _ = try await call(app, .POST, "\(base)/status", token: admin, json: ["status": "meeting"])
            try expectError(try await call(app, .POST, "\(base)/reportees/import", token: admin, raw: Data(good.utf8)), .conflict)
        }
    }

    /// Two imports at once both land, each whole, with distinct positions.
    @Test(arguments: TestDatabase.available)
    func concurrentImportsBothLandWhole(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let base = "api/v1/campaigns/\(world.campaignID)"
            let admin = world.token(.districtAdmin)
            let before = try await Reportee.query(on: app.db).filter(\.$campaign.$id == world.campaign.id!).count()
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { tasks in
                for tag in ["甲", "乙"] {
                    tasks.addTask {
                        let file = "姓名,单位\n\(tag)一,单位\(tag)\n\(tag)二,单位\(tag)\n"
                        return try await call(app, .POST, "\(base)/reportees/import", token: admin, raw: Data(file.utf8)).status
                    }
                }
                return try await tasks.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(statuses == [.created, .created])
            let all = try await Reportee.query(on: app.db).filter(\.$campaign.$id == world.campaign.id!).all()
            #expect(all.count == before + 4 && Set(all.map(\.position)).count == all.count)
        }
    }

    @Test(arguments: TestDatabase.available)
    func anAccountIsLinkedInEveryPhaseButArchivedAndNothingElseMoves(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let box = try await openBox(app, present: 4)
            let world = box.world
            let base = "api/v1/campaigns/\(world.campaignID)"
            let admin = world.token(.districtAdmin)
            let check = try await spec(app, box, code: box.codes[0])
            for code in box.codes.prefix(4) { _ = try await vote(app, code: code, marks: fullMarks(check)) }
            _ = try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: world.token(.chair))
            _ = try await call(app, .POST, "\(box.base)/\(box.roundID)/count", token: world.token(.chair))
            let target = try #require(try await Reportee.query(on: app.db).filter(\.$campaign.$id == world.campaign.id!)
                .filter(\.$unitName != "**镇党委").sort(\.$position).first())
            let account = try await makeUser(app, username: "secretary2", role: .reportee, orgUnitID: world.district.id)
            // during the meeting: the name is locked, the account link is not
            try expectError(try await call(app, .PATCH, "\(base)/reportees/\(target.id!)", token: admin,
                                            json: ReporteeUpdateRequest(name: "改名", userID: account.id)), .conflict)
            let linked = try await call(app, .PATCH, "\(base)/reportees/\(target.id!)", token: admin, json: ReporteeUpdateRequest(userID: account.id))
            #expect(linked.status == .ok, "\(linked.text)")
            #expect(try await Reportee.find(target.id, on: app.db)?.$user.id == account.id)
            #expect(try await Reportee.find(target.id, on: app.db)?.name == target.name)
            // after publication the secretary sees their own result through the account
            _ = try await call(app, .POST, "\(base)/publications", token: admin, json: PublicationRequest(reporteeIDs: [target.id!], days: 5))
            let token = try await login(app, "secretary2")
            let mine = try await call(app, .GET, "api/v1/me/results", token: token).decode([MyResultDTO].self)
            #expect(mine.map(\.reporteeID) == [target.id!] && mine[0].published)
            // a chair may not link; an archived campaign links nothing
            try expectError(try await call(app, .PATCH, "\(base)/reportees/\(target.id!)", token: world.token(.chair),
                                            json: ReporteeUpdateRequest(userID: account.id)), .forbidden)
            _ = try await call(app, .POST, "\(base)/status", token: admin, json: ["status": "archived"])
            try expectError(try await call(app, .PATCH, "\(base)/reportees/\(target.id!)", token: admin,
                                            json: ReporteeUpdateRequest(userID: account.id)), .conflict)
        }
    }
}

/// Issue 17 point 8: set-up in fewer steps — templates per level, a readiness list, rehearsal before the meeting.
@Suite("Set-up: templates, readiness, rehearsal")
struct SetUpTests {
    @Test(arguments: TestDatabase.available)
    func eachLevelStartsWithItsOwnRaterGroups(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            for (level, unit, first) in [("district", world.district, "区领导"), ("town", world.town, "镇（街道）领导班子成员"),
                                         ("community", world.town, "村（社区）“两委”成员")] {
                let reply = try await call(app, .POST, "api/v1/campaigns", token: world.token(.districtAdmin), json: CampaignCreateRequest(
                    title: "\(level) 述职评议", year: 2026, level: level, orgUnitID: unit.id!))
                #expect(reply.status == .created, "\(reply.text)")
                let detail = try reply.decode(CampaignDetailDTO.self)
                #expect(detail.raterGroups.first?.name == first, "\(level)")
                #expect(level == "district" || !detail.raterGroups.contains { $0.name == "区领导" }, "\(level)")
                #expect(detail.raterGroups.compactMap(\.weight).reduce(0, +) > 0.99)
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func theReadinessListSaysWhatStopsTheMeeting(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let admin = world.token(.districtAdmin)
            let created = try await call(app, .POST, "api/v1/campaigns", token: admin, json: CampaignCreateRequest(
                title: "空的活动", year: 2026, level: "town", orgUnitID: world.town.id!)).decode(CampaignDetailDTO.self)
            let items = try #require(created.readiness)
            #expect(items.filter { $0.required && !$0.done }.map(\.key) == ["reportees", "attendees"])
            let base = "api/v1/campaigns/\(created.campaign.id)"
            let refused = try await call(app, .POST, "\(base)/status", token: admin, json: ["status": "meeting"])
            try expectError(refused, .conflict)
            #expect(refused.text.contains("述职对象") && refused.text.contains("出席（参加评议）人员"))
            // the demo is ready, with advice left; a chair sees no list
            let demo = try await call(app, .GET, "api/v1/campaigns/\(world.campaignID)", token: admin).decode(CampaignDetailDTO.self)
            #expect(try #require(demo.readiness).allSatisfy { $0.done || !$0.required })
            let chair = try await call(app, .GET, "api/v1/campaigns/\(world.campaignID)", token: world.token(.chair)).decode(CampaignDetailDTO.self)
            #expect(chair.readiness == nil)
        }
    }

    @Test(arguments: TestDatabase.available)
    func theScreensCanBeRehearsedButNoSpeechIsRecordedBeforeTheMeeting(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let base = "api/v1/campaigns/\(world.campaignID)"
            let chair = world.token(.chair)
            let meeting = try await call(app, .GET, "\(base)/meeting", token: chair)
            #expect(meeting.status == .ok, "\(meeting.text)")
            let agenda = [AgendaInput(title: "会上述职", kind: "reports"), AgendaInput(title: "民主评议", kind: "evaluation")]
            #expect(try await call(app, .PUT, "\(base)/meeting/agenda", token: chair, json: agenda).status == .ok)
            #expect(try await call(app, .POST, "\(base)/meeting/message", token: chair, json: ["text": "彩排"]).status == .ok)
            let moved = try await call(app, .POST, "\(base)/meeting/current", token: chair, json: ["index": 1]).decode(MeetingDTO.self)
            #expect(moved.live.currentItem == 1 && moved.live.message == "")
            let reportee = try #require(try await Reportee.query(on: app.db).filter(\.$mode == .onsite).first())
            try expectError(try await call(app, .POST, "\(base)/speeches/\(reportee.id!)/start", token: chair), .conflict, code: "wrong_state")
            #expect(try await Meeting.query(on: app.db).first()?.startedAt == nil, "a rehearsal does not date the meeting")
        }
    }
}

/// Issue 17 point 8: real units imported without a parent are not filed under the demo's tree, and units a clerk put
/// under a demo unit survive its removal, moved up, with no 演示 node left behind.
@Suite("The demo leaves the real tree clean")
struct DemoTreeTests {
    @Test(arguments: TestDatabase.available)
    func realUnitsOutliveTheDemoTree(database: TestDatabase) async throws {
        try await withApp(database) { app in
            _ = try await bootstrap(app, adminPassword: "admin-password")
            let admin = try await login(app, "admin", "admin-password")
            let demoRoot = try #require(try await OrgUnit.query(on: app.db).filter(\.$isDemo == true).filter(\.$parent.$id == nil).first())
            // without a parent, a system admin's import lands at the top level
            let top = try await call(app, .POST, "api/v1/org-units/import", token: admin, raw: Data("名称,类型,领域\n新区委,党委,机关\n".utf8))
            #expect(top.status == .created, "\(top.text)")
            #expect(try await OrgUnit.query(on: app.db).filter(\.$name == "新区委").first()?.$parent.id == nil)
            // the trap of old: a real unit filed under the demo's root
            let under = try await call(app, .POST, "api/v1/org-units/import?parent=\(demoRoot.id!)", token: admin,
                                       raw: Data("名称,类型,领域\n真实镇党委,党委,农村\n".utf8))
            #expect(under.status == .created, "\(under.text)")
            let removed = try await call(app, .DELETE, "api/v1/demo", token: admin)
            #expect(removed.status == .ok, "\(removed.text)")
            #expect(try await OrgUnit.query(on: app.db).filter(\.$isDemo == true).count() == 0)
            let kept = try #require(try await OrgUnit.query(on: app.db).filter(\.$name == "真实镇党委").first())
            #expect(kept.$parent.id == nil)
            #expect(try await OrgUnit.query(on: app.db).filter(\.$name == "新区委").count() == 1)
        }
    }
}
