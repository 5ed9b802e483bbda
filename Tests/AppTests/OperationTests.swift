@testable import App
import Fluent
import Foundation
import PingyiCore
import Testing
import Vapor

/// The named operations of `Sources/App/Operations/`, called directly (set-up / operation / check), on SQLite and
/// PostgreSQL. The HTTP suites keep the contract, access and concurrency; these say what each operation does.
@Suite("Operations: campaign set-up")
struct CampaignSetupOperationTests {
    @Test(arguments: TestDatabase.available)
    func createCampaignFromTheTemplateHasTheLevelsGroupsAndAnAuditEntry(_ database: TestDatabase) async throws {
        try await withApp(database) { app in
            // Set-up
            let world = try await World.make(app)
            let admin = try await actor(app, "districtAdmin")
            // Operation
            let campaign = try await CampaignSetup.createCampaign(
                CampaignCreateRequest(title: "2027 年度述职评议", year: 2027, level: "town", orgUnitID: world.district.id!),
                by: admin, on: app.db)
            // Check
            let groups = try await RaterGroup.query(on: app.db).filter(\.$campaign.$id == campaign.requireID()).count()
            #expect(groups == CampaignLevel.town.raterGroupTemplate.count)
            #expect(campaign.forms.count == FormTemplate.seedForms.count)
            #expect(try await auditActions(app).contains("campaign.create"))
        }
    }

    @Test(arguments: TestDatabase.available)
    func createCampaignRefusesAYearOutOfRangeAndAUnitOutOfScope(_ database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let townAdmin = try await actor(app, "townAdmin")
            await #expect(throws: APIError.self) {
                _ = try await CampaignSetup.createCampaign(
                    CampaignCreateRequest(title: "甲", year: 1999, level: "town", orgUnitID: world.town.id!), by: townAdmin, on: app.db)
            }
            await #expect(throws: APIError.self) {
                _ = try await CampaignSetup.createCampaign(
                    CampaignCreateRequest(title: "甲", year: 2027, level: "town", orgUnitID: world.district.id!), by: townAdmin, on: app.db)
            }
            #expect(try await Campaign.query(on: app.db).count() == 1)
        }
    }

    @Test(arguments: TestDatabase.available)
    func deleteCampaignRemovesItsPeopleAndLeavesAnAuditEntry(_ database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let admin = try await actor(app, "districtAdmin")
            let id = try world.campaign.requireID()
            try await CampaignSetup.deleteCampaign(world.campaign, by: admin, on: app.db)
            #expect(try await Campaign.find(id, on: app.db) == nil)
            #expect(try await Reportee.query(on: app.db).filter(\.$campaign.$id == id).count() == 0)
            #expect(try await Participant.query(on: app.db).filter(\.$campaign.$id == id).count() == 0)
            #expect(try await RaterGroup.query(on: app.db).filter(\.$campaign.$id == id).count() == 0)
            #expect(try await auditActions(app).contains("campaign.delete"))
        }
    }

    @Test(arguments: TestDatabase.available)
    func changePhaseToTheMeetingGivesAnyoneWithoutACheckInCodeOne(_ database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let admin = try await actor(app, "districtAdmin")
            await #expect(throws: APIError.self) {
                try await CampaignSetup.changePhase(of: world.campaign, to: "nonsense", by: admin, on: app.db)
            }
            // A participant without a code (added before codes were given at creation) gets one when the meeting opens.
            let codeless = try #require(try await Participant.query(on: app.db).filter(\.$campaign.$id == world.campaign.requireID()).first())
            codeless.checkInCode = nil
            try await codeless.save(on: app.db)
            try await CampaignSetup.changePhase(of: world.campaign, to: "meeting", by: admin, on: app.db)
            #expect(try await Campaign.find(world.campaign.id, on: app.db)?.status == .meeting)
            let people = try await Participant.query(on: app.db).filter(\.$campaign.$id == world.campaign.requireID()).all()
            #expect(!people.isEmpty && people.allSatisfy { $0.checkInCode != nil })
            #expect(try await auditActions(app).contains("campaign.status"))
        }
    }

    @Test(arguments: TestDatabase.available)
    func replaceFormsNumbersNewFormsAndColumnsAndRefusesOutsidePreparation(_ database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let admin = try await actor(app, "districtAdmin")
            let input = FormInput(id: nil, name: "新表", columns: [
                FormColumnInput(id: nil, name: "总体评价", kind: "overall"), FormColumnInput(id: nil, name: "单项", kind: "item"),
            ])
            let fresh = try await CampaignSetup.createCampaign(
                CampaignCreateRequest(title: "新活动", year: 2027, level: "town", orgUnitID: world.district.id!), by: admin, on: app.db)
            try await CampaignSetup.replaceForms([input], of: fresh, by: admin, on: app.db)
            let stored = try #require(try await Campaign.find(fresh.id, on: app.db))
            #expect(stored.forms.map(\.id) == ["form1"])
            #expect(stored.forms[0].columns.map(\.id) == [FormTemplate.overallColumnID, "item1"])
            #expect(try await auditActions(app).contains("campaign.forms"))
            try await CampaignSetup.changePhase(of: world.campaign, to: "meeting", by: admin, on: app.db)
            let meeting = try #require(try await Campaign.find(world.campaign.id, on: app.db))
            await #expect(throws: APIError.self) {
                try await CampaignSetup.replaceForms([input], of: meeting, by: admin, on: app.db)
            }
            #expect(try await Campaign.find(world.campaign.id, on: app.db)?.forms.count == world.campaign.forms.count)
        }
    }
}

@Suite("Operations: campaign people")
struct CampaignPeopleOperationTests {
    @Test(arguments: TestDatabase.available)
    func addRaterGroupAppendsItAndRefusesATakenName(_ database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let admin = try await actor(app, "districtAdmin")
            let before = try await RaterGroup.query(on: app.db).filter(\.$campaign.$id == world.campaign.requireID()).count()
            let group = try await CampaignPeople.addRaterGroup(RaterGroupCreateRequest(name: "新类别", weight: 0.1), to: world.campaign,
                                                               by: admin, on: app.db)
            #expect(try await RaterGroup.query(on: app.db).filter(\.$campaign.$id == world.campaign.requireID()).count() == before + 1)
            #expect(group.position == before + 1 || group.position == before)
            await #expect(throws: APIError.self) {
                _ = try await CampaignPeople.addRaterGroup(RaterGroupCreateRequest(name: "新类别", weight: 0.1), to: world.campaign,
                                                           by: admin, on: app.db)
            }
            #expect(try await auditActions(app).filter { $0 == "rater_group.create" }.count == 1)
        }
    }

    @Test(arguments: TestDatabase.available)
    func deleteReporteeClosesTheRanks(_ database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let admin = try await actor(app, "districtAdmin")
            let id = try world.campaign.requireID()
            let first = try #require(try await Reportee.query(on: app.db).filter(\.$campaign.$id == id).sort(\.$position).first())
            let count = try await Reportee.query(on: app.db).filter(\.$campaign.$id == id).count()
            try await CampaignPeople.deleteReportee(first, of: world.campaign, by: admin, on: app.db)
            let positions = try await Reportee.query(on: app.db).filter(\.$campaign.$id == id).sort(\.$position).all().map(\.position)
            #expect(positions == Array(1...(count - 1)))
            #expect(try await auditActions(app).contains("reportee.delete"))
        }
    }

    @Test(arguments: TestDatabase.available)
    func aParticipantAddedDuringTheMeetingGetsACheckInCodeAtOnce(_ database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let admin = try await actor(app, "districtAdmin")
            try await CampaignSetup.changePhase(of: world.campaign, to: "meeting", by: admin, on: app.db)
            let campaign = try #require(try await Campaign.find(world.campaign.id, on: app.db))
            let person = try await CampaignPeople.addParticipant(ParticipantInput(name: "新来的", unitName: nil, role: "observer"),
                                                                 to: campaign, by: admin, on: app.db)
            #expect(person.checkInCode != nil)
            #expect(try await auditActions(app).contains("participant.create"))
        }
    }

    @Test(arguments: TestDatabase.available)
    func importParticipantsAppendsEveryRowOrNone(_ database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let admin = try await actor(app, "districtAdmin")
            let id = try world.campaign.requireID()
            let group = try #require(try await RaterGroup.query(on: app.db).filter(\.$campaign.$id == id).sort(\.$position).first())
            let before = try await Participant.query(on: app.db).filter(\.$campaign.$id == id).count()
            let good = "姓名,单位,身份,评议人类别\n甲,单位一,出席,\(group.name)\n乙,单位二,列席,\n"
            #expect(try await CampaignPeople.importParticipants(Data(good.utf8), into: world.campaign, by: admin, on: app.db) == 2)
            let bad = "姓名,单位,身份,评议人类别\n丙,单位三,出席,没有这个类别\n"
            await #expect(throws: (any Error).self) {
                _ = try await CampaignPeople.importParticipants(Data(bad.utf8), into: world.campaign, by: admin, on: app.db)
            }
            #expect(try await Participant.query(on: app.db).filter(\.$campaign.$id == id).count() == before + 2)
        }
    }
}

@Suite("Operations: accounts and the org tree")
struct AccountsAndOrgTreeOperationTests {
    @Test(arguments: TestDatabase.available)
    func aCampaignAdminCreatesStaffButNeverAnAdmin(_ database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let admin = try await actor(app, "districtAdmin")
            let user = try await Accounts.createAccount(
                UserCreateRequest(username: "new.teller", displayName: "新计票人", role: "teller", orgUnitID: world.town.id,
                                  password: "long-enough-1"), hashing: app.password.async, by: admin, on: app.db)
            #expect(user.role == .teller)
            await #expect(throws: APIError.self) {
                _ = try await Accounts.createAccount(
                    UserCreateRequest(username: "new.admin", displayName: "新管理员", role: "campaign_admin", orgUnitID: world.town.id,
                                      password: "long-enough-1"), hashing: app.password.async, by: admin, on: app.db)
            }
            #expect(try await User.query(on: app.db).filter(\.$username == "new.admin").count() == 0)
            #expect(try await auditActions(app).filter { $0 == "user.create" }.count == 1)
        }
    }

    @Test(arguments: TestDatabase.available)
    func resettingAPasswordEndsTheAccountsSessionsAndNoOneDeletesThemselves(_ database: TestDatabase) async throws {
        try await withApp(database) { app in
            _ = try await World.make(app)
            let admin = try await actor(app, "districtAdmin")
            let teller = try #require(try await User.query(on: app.db).filter(\.$username == "teller").first())
            #expect(try await UserToken.query(on: app.db).filter(\.$user.$id == teller.requireID()).count() > 0)
            try await Accounts.updateAccount(teller, with: UserUpdateRequest(password: "another-long-1"), hashing: app.password.async,
                                             throttle: app.loginThrottle, by: admin, on: app.db)
            #expect(try await UserToken.query(on: app.db).filter(\.$user.$id == teller.requireID()).count() == 0)
            await #expect(throws: APIError.self) { try await Accounts.deleteAccount(admin.user, by: admin, on: app.db) }
            try await Accounts.deleteAccount(teller, by: admin, on: app.db)
            #expect(try await User.find(teller.id, on: app.db) == nil)
        }
    }

    @Test(arguments: TestDatabase.available)
    func onlyASystemAdminCreatesATopLevelUnitAndAUnitInUseStays(_ database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let admin = try await actor(app, "districtAdmin")
            let top = OrgUnitCreateRequest(parentID: nil, name: "新区委", kind: "党委", domain: "机关")
            await #expect(throws: APIError.self) { _ = try await OrgTree.createUnit(top, by: admin, on: app.db) }
            let child = try await OrgTree.createUnit(OrgUnitCreateRequest(parentID: world.town.id, name: "新支部", kind: "党支部", domain: "机关"),
                                                     by: admin, on: app.db)
            #expect(child.$parent.id == world.town.id)
            // The town has campaigns' reportees, accounts and children: it stays.
            await #expect(throws: APIError.self) { try await OrgTree.deleteUnit(world.town, by: admin, on: app.db) }
            try await OrgTree.deleteUnit(child, by: admin, on: app.db)
            #expect(try await OrgUnit.find(child.id, on: app.db) == nil)
            let actions = try await auditActions(app)
            #expect(actions.contains("org.create") && actions.contains("org.delete"))
        }
    }

    @Test(arguments: TestDatabase.available)
    func importUnitsPutsTheRowsUnderTheParentInOrder(_ database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let admin = try await actor(app, "districtAdmin")
            let file = "名称,上级组织,类型,领域,书记\n第一支部,,党支部,机关,\n第二支部,,党支部,机关,\n"
            #expect(try await OrgTree.importUnits(Data(file.utf8), under: world.town.id, by: admin, on: app.db) == 2)
            let units = try await OrgUnit.query(on: app.db).filter(\.$parent.$id == world.town.id!).sort(\.$position).all()
            #expect(units.suffix(2).map(\.name) == ["第一支部", "第二支部"])
            #expect(try await auditActions(app).contains("org.import"))
        }
    }
}

@Suite("Operations: extra codes and extra sheets")
struct BallotRoundExtrasOperationTests: BallotBoxHelpers {
    @Test(arguments: TestDatabase.available)
    func extraCodesCountAsIssuedOnlyWhileTheRoundIsOpen(_ database: TestDatabase) async throws {
        try await withApp(database) { app in
            let box = try await openBox(app, present: 3)
            let chair = try await actor(app, "chair")
            let round = try #require(try await BallotRound.find(box.roundID, on: app.db))
            let group = try #require(try await RaterGroup.query(on: app.db).filter(\.$campaign.$id == box.world.campaign.requireID()).first())
            let before = round.issuedCodes
            let (codes, _) = try await BallotRounds.issueExtraCodes(2, forGroup: group.requireID(), in: round, campaign: box.world.campaign,
                                                                     by: chair, on: app.db)
            #expect(codes.count == 2)
            #expect(try await BallotRound.find(box.roundID, on: app.db)?.issuedCodes == before + 2)
            await #expect(throws: APIError.self) {
                _ = try await BallotRounds.issueExtraCodes(101, forGroup: group.requireID(), in: round, campaign: box.world.campaign,
                                                           by: chair, on: app.db)
            }
            try await BallotRounds.seal(round, by: chair, gate: app.roundClosings, on: app.db)
            // The stale round still says open: the claim refuses it.
            await #expect(throws: APIError.self) {
                _ = try await BallotRounds.issueExtraCodes(1, forGroup: group.requireID(), in: round, campaign: box.world.campaign,
                                                           by: chair, on: app.db)
            }
            #expect(try await BallotRound.find(box.roundID, on: app.db)?.issuedCodes == before + 2)
        }
    }

    @Test(arguments: TestDatabase.available)
    func extraSheetsAreRecordedOnlyInASealedRound(_ database: TestDatabase) async throws {
        try await withApp(database) { app in
            let box = try await openBox(app, present: 3)
            let chair = try await actor(app, "chair")
            let open = try #require(try await BallotRound.find(box.roundID, on: app.db))
            await #expect(throws: APIError.self) {
                try await BallotRounds.recordExtraSheets(1, in: open, campaign: box.world.campaign, by: chair, on: app.db)
            }
            try await BallotRounds.seal(open, by: chair, gate: app.roundClosings, on: app.db)
            let sealed = try #require(try await BallotRound.find(box.roundID, on: app.db))
            try await BallotRounds.recordExtraSheets(3, in: sealed, campaign: box.world.campaign, by: chair, on: app.db)
            #expect(try await BallotRound.find(box.roundID, on: app.db)?.extraSheets == 3)
            #expect(try await auditActions(app).contains("paper.extra"))
        }
    }
}
