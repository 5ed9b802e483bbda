@testable import App
import Fluent
import Foundation
import PingyiCore
import Testing
import Vapor

@Suite("Campaign set-up")
struct CampaignSetupTests {
    func newCampaign(_ world: World, token: String? = nil, copyFrom: UUID? = nil, unit: UUID? = nil) async throws -> CampaignDetailDTO {
        let reply = try await call(world.app, .POST, "api/v1/campaigns", token: token ?? world.token(.districtAdmin), json: CampaignCreateRequest(
            title: "2023年度**区基层党组织书记述职评议", year: 2023, level: "district", orgUnitID: unit ?? world.district.id!, copyFrom: copyFrom))
        #expect(reply.status == .created, "\(reply.text)")
        return try reply.decode(CampaignDetailDTO.self)
    }

    @Test(arguments: TestDatabase.available)
    func theTemplateGivesTheSeedsFormsRulesAndGroups(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let detail = try await newCampaign(world)
            #expect(detail.campaign.status == "preparing")
            #expect(detail.forms == FormTemplate.seedForms)
            #expect(detail.raterGroups.map(\.name) == ["区领导", "部门负责人", "党代表·群众代表"])
            #expect(detail.raterGroups.compactMap(\.weight) == [0.3, 0.3, 0.4])
            #expect(detail.reportees.isEmpty)
            #expect(detail.permissions.manage)
            #expect(detail.materialsPath?.hasPrefix("/m/") == true)
        }
    }

    @Test(arguments: TestDatabase.available)
    func copyingTakesSetupPeopleAndRemapsWeights(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let copy = try await newCampaign(world, copyFrom: world.campaign.id)
            #expect(copy.reportees.count == 11)
            #expect(copy.participants.attendees == 40)
            let groupIDs = Set(copy.raterGroups.map { $0.id.uuidString })
            #expect(Set(copy.rules.raterGroupWeights.keys) == groupIDs)
            let sourceGroups = try await RaterGroup.query(on: app.db).filter(\.$campaign.$id == world.campaign.id!).all()
            #expect(groupIDs.isDisjoint(with: sourceGroups.map { $0.id!.uuidString }))
            let people = try await call(app, .GET, "api/v1/campaigns/\(copy.campaign.id)/participants", token: world.token(.districtAdmin))
                .decode([ParticipantDTO].self)
            #expect(people.filter { $0.role == "attendee" }.allSatisfy { $0.raterGroupID.map { groupIDs.contains($0.uuidString) } == true })
        }
    }

    @Test func creationRefusesBadInputAndOtherScopes() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            let before = try await Campaign.query(on: app.db).count()
            let token = world.token(.townAdmin)
            let cases: [(CampaignCreateRequest, HTTPStatus)] = [
                (CampaignCreateRequest(title: " ", year: 2023, level: "town", orgUnitID: world.town.id!), .unprocessableEntity),
                (CampaignCreateRequest(title: "甲", year: 1900, level: "town", orgUnitID: world.town.id!), .unprocessableEntity),
                (CampaignCreateRequest(title: "甲", year: 2023, level: "province", orgUnitID: world.town.id!), .unprocessableEntity),
                (CampaignCreateRequest(title: "甲", year: 2023, level: "town", orgUnitID: world.district.id!), .notFound),
                (CampaignCreateRequest(title: "甲", year: 2023, level: "town", orgUnitID: UUID()), .notFound),
                (CampaignCreateRequest(title: "甲", year: 2023, level: "town", orgUnitID: world.town.id!, copyFrom: world.campaign.id), .notFound),
            ]
            for (body, status) in cases {
                try expectError(try await call(app, .POST, "api/v1/campaigns", token: token, json: body), status)
            }
            let malformed = try await call(app, .POST, "api/v1/campaigns", token: token, raw: Data(#"{"title": 5}"#.utf8),
                                           headers: ["Content-Type": "application/json"])
            try expectError(malformed, .badRequest)
            #expect(try await Campaign.query(on: app.db).count() == before)
        }
    }

    @Test func formsGetIdsAndAreValidated() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            let path = "api/v1/campaigns/\(world.campaignID)/forms"
            let token = world.token(.districtAdmin)
            // a form weight set, so we can see it reset when forms change
            var rules = world.campaign.rules
            rules.formWeights = ["party_building": 2, "integrity": 1, "ideology": 1]
            #expect(try await call(app, .PUT, "api/v1/campaigns/\(world.campaignID)/rules", token: token, json: rules).status == .ok)
            let forms = [
                FormInput(id: "party_building", name: "抓基层党建工作", columns: [
                    FormColumnInput(id: "overall", name: "总体评价", kind: "overall"),
                    FormColumnInput(id: "item2", name: "基层组织建设", kind: "item"),
                    FormColumnInput(id: nil, name: "新增栏目", kind: "item"),
                ]),
                FormInput(id: nil, name: "新表", columns: [FormColumnInput(id: nil, name: "总体评价", kind: "overall")]),
            ]
            let reply = try await call(app, .PUT, path, token: token, json: forms)
            #expect(reply.status == .ok, "\(reply.text)")
            let detail = try reply.decode(CampaignDetailDTO.self)
            #expect(detail.forms.map(\.id) == ["party_building", "form2"])
            #expect(detail.forms[0].columns.map(\.id) == ["overall", "item2", "item1"])
            #expect(detail.rules.formWeights.isEmpty)
            // refusals
            let bad: [[FormInput]] = [
                [],
                [FormInput(id: nil, name: "无总体", columns: [FormColumnInput(id: nil, name: "甲", kind: "item")])],
                [FormInput(id: nil, name: "两个总体", columns: [FormColumnInput(id: nil, name: "总", kind: "overall"),
                                                              FormColumnInput(id: nil, name: "总二", kind: "overall")])],
                [FormInput(id: "bad id!", name: "表", columns: [FormColumnInput(id: nil, name: "总", kind: "overall")])],
                [FormInput(id: nil, name: "表", columns: [FormColumnInput(id: nil, name: "总", kind: "sideways")])],
                [FormInput(id: "x", name: "表", columns: [FormColumnInput(id: nil, name: "总", kind: "overall")]),
                 FormInput(id: "x", name: "表二", columns: [FormColumnInput(id: nil, name: "总", kind: "overall")])],
            ]
            for forms in bad {
                try expectError(try await call(app, .PUT, path, token: token, json: forms), .unprocessableEntity)
            }
            #expect(try await Campaign.find(world.campaign.id, on: app.db)?.forms.map(\.id) == ["party_building", "form2"])
        }
    }

    @Test func rulesAreValidatedAgainstTheCampaignsGroupsAndForms() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            let path = "api/v1/campaigns/\(world.campaignID)/rules"
            let token = world.token(.districtAdmin)
            var wrongGroups = world.campaign.rules
            wrongGroups.raterGroupWeights = ["nope": 1]
            try expectError(try await call(app, .PUT, path, token: token, json: wrongGroups), .unprocessableEntity, code: "invalid_rules")
            var badPoints = world.campaign.rules
            badPoints.points = GradePoints(good: 40, fairlyGood: 60, average: 80, poor: 100)
            try expectError(try await call(app, .PUT, path, token: token, json: badPoints), .unprocessableEntity, code: "invalid_rules")
            var capped = world.campaign.rules
            capped.grading.maxGoodShare = Fraction(3, 10)
            let ok = try await call(app, .PUT, path, token: token, json: capped)
            #expect(try ok.decode(CampaignDetailDTO.self).rules.grading.maxGoodShare == Fraction(3, 10))
            let audit = try await AuditEntry.query(on: app.db).filter(\.$action == "campaign.rules").all()
            #expect(audit.count == 1)
            #expect(audit[0].before?.contains("maxGoodShare") == false && audit[0].after?.contains("maxGoodShare") == true)
        }
    }

    @Test func raterGroupsKeepWeightsWhole() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            let base = "api/v1/campaigns/\(world.campaignID)/rater-groups"
            let token = world.token(.districtAdmin)
            try expectError(try await call(app, .POST, base, token: token, json: RaterGroupCreateRequest(name: "服务对象代表")), .unprocessableEntity)
            try expectError(try await call(app, .POST, base, token: token, json: RaterGroupCreateRequest(name: "区领导", weight: 0.1)), .conflict)
            let added = try await call(app, .POST, base, token: token, json: RaterGroupCreateRequest(name: "服务对象代表", weight: 0.2))
            #expect(added.status == .created)
            let detail = try added.decode(CampaignDetailDTO.self)
            let group = try #require(detail.raterGroups.last)
            #expect(group.name == "服务对象代表" && group.weight == 0.2 && group.position == 4)
            // a group with attendees stays; an empty one goes and takes its weight along
            let full = detail.raterGroups[0]
            try expectError(try await call(app, .DELETE, "\(base)/\(full.id)", token: token), .conflict)
            let removed = try await call(app, .DELETE, "\(base)/\(group.id)", token: token).decode(CampaignDetailDTO.self)
            #expect(removed.raterGroups.count == 3)
            #expect(removed.rules.raterGroupWeights[group.id.uuidString] == nil)
            // reorder
            let moved = try await call(app, .PATCH, "\(base)/\(removed.raterGroups[2].id)", token: token,
                                       json: RaterGroupUpdateRequest(position: 1)).decode(CampaignDetailDTO.self)
            #expect(moved.raterGroups.map(\.name) == ["党代表·群众代表", "区领导", "部门负责人"])
        }
    }

    @Test func reporteesAreAddedReorderedAndRemoved() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            let base = "api/v1/campaigns/\(world.campaignID)/reportees"
            let token = world.token(.districtAdmin)
            let added = try await call(app, .POST, base, token: token, json: ReporteeCreateRequest(
                name: "钱七", unitName: "区水务局党组", title: "党组书记", mode: "onsite", timeLimitSeconds: 300))
            var detail = try added.decode(CampaignDetailDTO.self)
            let newcomer = try #require(detail.reportees.last)
            #expect(newcomer.position == 12 && newcomer.timeLimitSeconds == 300 && newcomer.modeLabel == "会上述职")
            detail = try await call(app, .PATCH, "\(base)/\(newcomer.id)", token: token,
                                    json: ReporteeUpdateRequest(position: 1)).decode(CampaignDetailDTO.self)
            #expect(detail.reportees.first?.name == "钱七")
            #expect(detail.reportees.map(\.position) == Array(1...12))
            detail = try await call(app, .DELETE, "\(base)/\(detail.reportees[3].id)", token: token).decode(CampaignDetailDTO.self)
            #expect(detail.reportees.map(\.position) == Array(1...11))
            // refusals
            for body in [
                ReporteeCreateRequest(name: "", unitName: "甲", mode: "onsite"),
                ReporteeCreateRequest(name: "甲", unitName: "乙", mode: "video"),
                ReporteeCreateRequest(name: "甲", unitName: "乙", mode: "onsite", timeLimitSeconds: 5),
                ReporteeCreateRequest(name: "甲", unitName: "乙", mode: "onsite", userID: UUID()),
            ] {
                let reply = try await call(app, .POST, base, token: token, json: body)
                #expect(reply.status == .unprocessableEntity || reply.status == .notFound, "\(reply.text)")
            }
            // a reportee from another campaign is not found through this one
            let other = try await call(app, .POST, "api/v1/campaigns", token: token, json: CampaignCreateRequest(
                title: "另一个", year: 2023, level: "district", orgUnitID: world.district.id!, copyFrom: world.campaign.id))
                .decode(CampaignDetailDTO.self)
            try expectError(try await call(app, .PATCH, "\(base)/\(other.reportees[0].id)", token: token,
                                            json: ReporteeUpdateRequest(name: "串改")), .notFound)
        }
    }

    @Test func theLifecycleMovesForwardAndLocksWhatItMust() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            let base = "api/v1/campaigns/\(world.campaignID)"
            let token = world.token(.districtAdmin)
            func status(_ value: String) async throws -> Reply {
                try await call(app, .POST, base + "/status", token: token, json: ["status": value])
            }
            try expectError(try await status("published"), .conflict, code: "wrong_state")
            try expectError(try await status("frozen"), .unprocessableEntity)
            #expect(try await status("meeting").status == .ok)
            // set-up is locked, participants are not
            try expectError(try await call(app, .PUT, base + "/rules", token: token, json: world.campaign.rules), .conflict, code: "wrong_state")
            try expectError(try await call(app, .POST, base + "/reportees", token: token,
                                            json: ReporteeCreateRequest(name: "晚到", unitName: "甲", mode: "written")), .conflict)
            let group = try await RaterGroup.query(on: app.db).first()!
            #expect(try await call(app, .POST, base + "/participants", token: token,
                                   json: ParticipantInput(name: "补签到", role: "attendee", raterGroupID: group.id)).status == .created)
            // back to preparing is allowed while no round was ever opened
            #expect(try await status("preparing").status == .ok)
            #expect(try await status("meeting").status == .ok)
            // nothing is published without a counted round
            try expectError(try await status("published"), .conflict, code: "wrong_state")
            let people = try await Participant.query(on: app.db).filter(\.$role == .attendee).sort(\.$position).all()
            for person in people.prefix(3) {
                _ = try await call(app, .POST, base + "/check-in", token: world.token(.teller), json: CheckInRequest(participantID: person.id))
            }
            let round = try await call(app, .POST, base + "/rounds", token: world.token(.chair), json: RoundOpenRequest()).decode(RoundOpenedDTO.self)
            for step in ["seal", "count"] {
                #expect(try await call(app, .POST, base + "/rounds/\(round.round.id)/\(step)", token: world.token(.chair)).status == .ok)
            }
            // a count belongs to the round: the campaign never enters 计票 (issue 17), it publishes from the meeting
            try expectError(try await status("counting"), .conflict, code: "wrong_state")
            for next in ["published", "archived"] {
                #expect(try await status(next).status == .ok, "\(next)")
            }
            // archived: read-only in every respect
            try expectError(try await call(app, .PATCH, base, token: token, json: ["title": "改"]), .conflict)
            try expectError(try await call(app, .POST, base + "/participants", token: token,
                                            json: ParticipantInput(name: "甲", role: "observer")), .conflict)
            try expectError(try await status("preparing"), .conflict)
            let log = try await call(app, .GET, base + "/audit", token: token).decode([AuditEntryDTO].self)
            #expect(log.filter { $0.action == "campaign.status" }.count == 5)
            #expect(log.first?.summary == "活动状态：已发布 → 归档")
        }
    }

    @Test func aMeetingNeedsReporteesAndAttendees() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            let empty = try await call(app, .POST, "api/v1/campaigns", token: world.token(.districtAdmin), json: CampaignCreateRequest(
                title: "空活动", year: 2023, level: "district", orgUnitID: world.district.id!)).decode(CampaignDetailDTO.self)
            let reply = try await call(app, .POST, "api/v1/campaigns/\(empty.campaign.id)/status", token: world.token(.districtAdmin),
                                       json: ["status": "meeting"])
            try expectError(reply, .conflict)
            #expect(reply.text.contains("述职对象") && reply.text.contains("出席（参加评议）人员"))
        }
    }
}
