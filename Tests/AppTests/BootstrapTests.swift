@testable import App
import Fluent
import Foundation
import PingyiCore
import Testing
import Vapor
import VaporTesting

@Suite("First start: admin and demo campaign")
struct BootstrapTests {
    @Test(arguments: TestDatabase.available)
    func aFreshDatabaseGetsAnAdminAndTheSeedMeeting(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // call
            let report = try await bootstrap(app, adminPassword: nil)
            // check: the admin
            #expect(report.adminCreated && report.demoLoaded)
            let password = try #require(report.generatedAdminPassword)
            #expect(password.count == 12)
            let token = try await login(app, "admin", password)
            #expect(!token.isEmpty)
            // check: the campaign
            let campaigns = try await Campaign.query(on: app.db).all()
            #expect(campaigns.count == 1)
            let campaign = try #require(campaigns.first)
            #expect(campaign.title == "2022年度**区基层党组织书记落实主体责任述职评议")
            #expect(campaign.isDemo)
            #expect(campaign.status == .preparing)
            #expect(campaign.forms.map(\.name) == ["抓基层党建工作", "履行党风廉政建设主体责任", "落实意识形态工作责任制"])
            let detail = try await campaignDetail(campaign, for: nil, on: app.db)
            let onsite = detail.reportees.filter { $0.mode == "onsite" }
            #expect(onsite.map(\.unitName) == ["**镇党委", "区教育党工委", "区社会事务局党组", "**市园艺场党委"])
            #expect(onsite.allSatisfy { $0.timeLimitSeconds == 480 })
            #expect(detail.reportees.filter { $0.mode == "written" }.count >= 6)
            #expect(detail.raterGroups.map(\.name) == ["区领导", "部门负责人", "党代表·群众代表"])
            #expect(detail.raterGroups.compactMap(\.weight).reduce(0, +) == 1.0)
            #expect(detail.participants.attendees == 40)
            #expect(detail.participants.observers >= 1)
            let guests = try await Participant.query(on: app.db).filter(\.$role == .guest).all().map(\.unitName)
            #expect(Set(guests) == ["市纪委", "市委组织部", "市委宣传部"])
            // the demo's rules are valid for its own groups and forms
            try campaign.rules.validate(raterGroups: detail.raterGroups.map(\.id.uuidString), forms: campaign.forms.map(\.id))
        }
    }

    @Test func theConfiguredPasswordIsUsedAndNotPrinted() async throws {
        try await withApp(.sqlite) { app in
            let report = try await bootstrap(app, adminPassword: "correct horse")
            #expect(report.generatedAdminPassword == nil)
            _ = try await login(app, "admin", "correct horse")
            let lines = startupLines(url: "http://127.0.0.1:8080", location: .sqliteFile(path: "pingyi.sqlite"), report: report)
            #expect(!lines.joined().contains("correct horse"))
            #expect(lines.contains { $0.contains("http://127.0.0.1:8080") })
        }
    }

    @Test func aShortConfiguredPasswordIsRefused() async throws {
        try await withApp(.sqlite) { app in
            await #expect(throws: PingyiStartupError.self) { try await bootstrap(app, adminPassword: "short") }
            let users = try await User.query(on: app.db).count()
            #expect(users == 0)
        }
    }

    @Test func startupLinesShowTheURLAndTheGeneratedPassword() {
        let report = BootstrapReport(generatedAdminPassword: "Abc234defGHJ", adminCreated: true, demoLoaded: true)
        let text = startupLines(url: "http://127.0.0.1:8080", location: .sqliteFile(path: "pingyi.sqlite"), report: report).joined(separator: "\n")
        #expect(text.contains("http://127.0.0.1:8080"))
        #expect(text.contains("admin"))
        #expect(text.contains("Abc234defGHJ"))
        #expect(text.contains("演示"))
    }

    @Test(arguments: TestDatabase.available)
    func aSecondStartChangesNothing(database: TestDatabase) async throws {
        try await withApp(database) { app in
            _ = try await bootstrap(app, adminPassword: nil)
            let again = try await bootstrap(app, adminPassword: nil)
            #expect(!again.adminCreated && !again.demoLoaded && again.generatedAdminPassword == nil)
            #expect(try await Campaign.query(on: app.db).count() == 1)
            #expect(try await User.query(on: app.db).count() == 1)
        }
    }

    @Test(arguments: TestDatabase.available)
    func removingTheDemoInOneActionLeavesNoTraceAndItDoesNotComeBack(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // setup
            let report = try await bootstrap(app, adminPassword: nil)
            let token = try await login(app, "admin", report.generatedAdminPassword!)
            // call
            try await app.testing().test(.DELETE, "api/v1/demo", headers: bearer(token)) { res in
                #expect(res.status == .ok)
                let removed = try res.content.decode(DemoRemovalDTO.self)
                #expect(removed.removedCampaigns == 1)
                #expect(removed.removedOrgUnits == 12)
            }
            // check
            #expect(try await Campaign.query(on: app.db).count() == 0)
            #expect(try await Reportee.query(on: app.db).count() == 0)
            #expect(try await Participant.query(on: app.db).count() == 0)
            #expect(try await RaterGroup.query(on: app.db).count() == 0)
            #expect(try await OrgUnit.query(on: app.db).count() == 0)
            let restart = try await bootstrap(app, adminPassword: nil)
            #expect(!restart.demoLoaded)
            #expect(try await Campaign.query(on: app.db).count() == 0)
        }
    }

    @Test func removingTheDemoKeepsRealData() async throws {
        try await withApp(.sqlite) { app in
            _ = try await bootstrap(app, adminPassword: nil)
            let real = OrgUnit(parentID: nil, name: "**镇党委（正式）", kind: "党委", domain: .rural, secretaryName: "甲", position: 0)
            try await real.save(on: app.db)
            try await Campaign(title: "2023年度述职评议", year: 2023, level: .town, orgUnitID: real.requireID(),
                               forms: FormTemplate.seedForms, rules: .standard).save(on: app.db)
            let removed = try await DemoCampaign.remove(on: app.db)
            #expect(removed.campaigns == 1)
            #expect(try await Campaign.query(on: app.db).all().map(\.title) == ["2023年度述职评议"])
            #expect(try await OrgUnit.query(on: app.db).all().map(\.name) == ["**镇党委（正式）"])
        }
    }

    @Test func onlyASystemAdminMayRemoveTheDemo() async throws {
        try await withApp(.sqlite) { app in
            _ = try await bootstrap(app, adminPassword: nil)
            try await makeUser(app, username: "clerk", role: .campaignAdmin)
            let token = try await login(app, "clerk")
            try await app.testing().test(.DELETE, "api/v1/demo", headers: bearer(token)) { res in
                try expectError(res, .forbidden, code: "forbidden")
            }
            try await app.testing().test(.DELETE, "api/v1/demo") { res in
                try expectError(res, .unauthorized)
            }
            #expect(try await Campaign.query(on: app.db).count() == 1)
        }
    }
}
