@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Campaign listing and scope")
struct CampaignTests {
    @Test(arguments: TestDatabase.available)
    func theAdminSeesTheDemoCampaignAndItsDetail(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let report = try await bootstrap(app, adminPassword: nil)
            let token = try await login(app, "admin", report.generatedAdminPassword!)
            var id: UUID?
            try await app.testing().test(.GET, "api/v1/campaigns", headers: bearer(token)) { res in
                #expect(res.status == .ok)
                let list = try res.content.decode([CampaignSummaryDTO].self)
                #expect(list.count == 1)
                #expect(list.first?.isDemo == true)
                #expect(list.first?.statusLabel == "筹备")
                id = list.first?.id
            }
            try await app.testing().test(.GET, "api/v1/campaigns/\(try #require(id))", headers: bearer(token)) { res in
                #expect(res.status == .ok)
                let detail = try res.content.decode(CampaignDetailDTO.self)
                #expect(detail.forms.count == 3)
                #expect(detail.reportees.count == 11)
                #expect(detail.reportees.map(\.position) == Array(1...11))
            }
        }
    }

    @Test func aTownAdminSeesNothingOfTheDistrictsCampaign() async throws {
        try await withApp(.sqlite) { app in
            // setup: the demo belongs to the district; this clerk is scoped to one town below it
            _ = try await bootstrap(app, adminPassword: nil)
            let town = try #require(try await OrgUnit.query(on: app.db).filter(\.$name == "**镇党委").first())
            try await makeUser(app, username: "town", role: .campaignAdmin, orgUnitID: town.id)
            let token = try await login(app, "town")
            let campaign = try #require(try await Campaign.query(on: app.db).first())
            // call + check
            try await app.testing().test(.GET, "api/v1/campaigns", headers: bearer(token)) { res in
                #expect(res.status == .ok)
                let list = try res.content.decode([CampaignSummaryDTO].self)
                #expect(list.isEmpty)
            }
            try await app.testing().test(.GET, "api/v1/campaigns/\(campaign.requireID())", headers: bearer(token)) { res in
                try expectError(res, .notFound, code: "not_found")
            }
        }
    }

    @Test func aDistrictAdminSeesItsSubtreesCampaigns() async throws {
        try await withApp(.sqlite) { app in
            _ = try await bootstrap(app, adminPassword: nil)
            let district = try #require(try await OrgUnit.query(on: app.db).filter(\.$name == "**区委").first())
            try await makeUser(app, username: "district", role: .campaignAdmin, orgUnitID: district.id)
            let token = try await login(app, "district")
            try await app.testing().test(.GET, "api/v1/campaigns", headers: bearer(token)) { res in
                let list = try res.content.decode([CampaignSummaryDTO].self)
                #expect(list.count == 1)
            }
        }
    }

    @Test(arguments: ["not-a-uuid", UUID().uuidString, "%00", String(repeating: "9", count: 300)])
    func unknownOrMalformedIDsAre404(id: String) async throws {
        try await withApp(.sqlite) { app in
            let report = try await bootstrap(app, adminPassword: nil)
            let token = try await login(app, "admin", report.generatedAdminPassword!)
            try await app.testing().test(.GET, "api/v1/campaigns/\(id)", headers: bearer(token)) { res in
                try expectError(res, .notFound)
            }
        }
    }

    @Test func campaignsNeedALogin() async throws {
        try await withApp(.sqlite) { app in
            try await app.testing().test(.GET, "api/v1/campaigns") { res in
                try expectError(res, .unauthorized, code: "unauthorized")
            }
        }
    }

    @Test func subtreeWalksTheWholeTreeBelowAUnit() async throws {
        try await withApp(.sqlite) { app in
            let root = OrgUnit(parentID: nil, name: "区", kind: "党委", domain: .government, secretaryName: "", position: 0)
            try await root.save(on: app.db)
            let town = OrgUnit(parentID: root.id, name: "镇", kind: "党委", domain: .rural, secretaryName: "", position: 0)
            try await town.save(on: app.db)
            let village = OrgUnit(parentID: town.id, name: "村", kind: "党支部", domain: .rural, secretaryName: "", position: 0)
            try await village.save(on: app.db)
            let other = OrgUnit(parentID: root.id, name: "另一镇", kind: "党委", domain: .rural, secretaryName: "", position: 1)
            try await other.save(on: app.db)
            #expect(try await subtree(of: town.requireID(), on: app.db) == [town.id!, village.id!])
            #expect(try await subtree(of: root.requireID(), on: app.db).count == 4)
        }
    }
}
