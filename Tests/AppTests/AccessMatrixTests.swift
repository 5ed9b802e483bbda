@testable import App
import Fluent
import Foundation
import PingyiCore
import Testing
import Vapor

/// Every campaign endpoint × every role, inside and outside the district's scope: allowed or refused, and a refusal
/// changes nothing.
@Suite("Role and scope matrix")
struct AccessMatrixTests {
    enum Expect: Equatable {
        case allowed
        case forbidden
        case notFound
        case unauthorized

        func matches(_ status: HTTPStatus) -> Bool {
            switch self {
            case .allowed: (200..<300).contains(status.code)
            case .forbidden: status == .forbidden
            case .notFound: status == .notFound
            case .unauthorized: status == .unauthorized
            }
        }
    }

    /// Who may read the campaign, read its participant list, and change it.
    static let readers: [String: Expect] = [
        "sysadmin": .allowed, "districtAdmin": .allowed, "chair": .allowed, "teller": .allowed, "scrutineer": .allowed,
        "reportee": .allowed, "townAdmin": .notFound, "outsideChair": .notFound, "otherReportee": .notFound,
    ]
    static let participantReaders: [String: Expect] = readers.merging(["reportee": .forbidden]) { _, new in new }
    static let managers: [String: Expect] = [
        "sysadmin": .allowed, "districtAdmin": .allowed, "chair": .forbidden, "teller": .forbidden, "scrutineer": .forbidden,
        "reportee": .forbidden, "townAdmin": .notFound, "outsideChair": .notFound, "otherReportee": .notFound,
    ]

    @Test func readingTheCampaign() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            for (name, expected) in Self.readers {
                let reply = try await call(app, .GET, "api/v1/campaigns/\(world.campaignID)", token: world.token(named: name))
                #expect(expected.matches(reply.status), "\(name): \(reply.status)")
                let list = try await call(app, .GET, "api/v1/campaigns", token: world.token(named: name)).decode([CampaignSummaryDTO].self)
                #expect(list.contains { $0.id == world.campaign.id } == (expected == .allowed), "\(name) list")
            }
            #expect(try await call(app, .GET, "api/v1/campaigns/\(world.campaignID)").status == .unauthorized)
        }
    }

    @Test func readingParticipants() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            for (name, expected) in Self.participantReaders {
                let reply = try await call(app, .GET, "api/v1/campaigns/\(world.campaignID)/participants", token: world.token(named: name))
                #expect(expected.matches(reply.status), "\(name): \(reply.status)")
            }
        }
    }

    /// Each change, tried by every role; only managers get through, and a refused one leaves no trace.
    @Test(arguments: [
        "patch campaign", "status", "forms", "rules", "add group", "add reportee", "add participant", "audit", "delete campaign",
    ])
    func changingTheCampaign(action: String) async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            let base = "api/v1/campaigns/\(world.campaignID)"
            let group = try await RaterGroup.query(on: app.db).first()!
            // Refused roles first, so the campaign is intact when they try; then the managers, whose change may stick.
            let order = Self.managers.filter { $0.value != .allowed }.map(\.key).sorted()
                + (action == "delete campaign" ? ["districtAdmin"] : ["districtAdmin", "sysadmin"])
            for name in order {
                let expected = Self.managers[name]!
                let entriesBefore = try await AuditEntry.query(on: app.db).count()
                let reply: Reply
                switch action {
                case "patch campaign":
                    reply = try await call(app, .PATCH, base, token: world.token(named: name), json: ["title": "改名 \(name)"])
                case "status":
                    reply = try await call(app, .POST, base + "/status", token: world.token(named: name), json: ["status": "archived"])
                case "forms":
                    reply = try await call(app, .PUT, base + "/forms", token: world.token(named: name), json: [
                        FormInput(id: nil, name: "表", columns: [FormColumnInput(id: nil, name: "总体评价", kind: "overall")]),
                    ])
                case "rules":
                    reply = try await call(app, .PUT, base + "/rules", token: world.token(named: name), json: EvaluationRules.standard)
                case "add group":
                    reply = try await call(app, .POST, base + "/rater-groups", token: world.token(named: name),
                                           json: RaterGroupCreateRequest(name: "新类别 \(name)", weight: 0.1))
                case "add reportee":
                    reply = try await call(app, .POST, base + "/reportees", token: world.token(named: name),
                                           json: ReporteeCreateRequest(name: "甲", unitName: "乙", title: nil, mode: "written"))
                case "add participant":
                    reply = try await call(app, .POST, base + "/participants", token: world.token(named: name),
                                           json: ParticipantInput(name: "丙", unitName: nil, role: "attendee", raterGroupID: group.id))
                case "audit":
                    reply = try await call(app, .GET, base + "/audit", token: world.token(named: name))
                default:
                    reply = try await call(app, .DELETE, base, token: world.token(named: name))
                }
                if expected == .allowed {
                    // "status → archived" and "delete" are refused for state reasons even for managers.
                    #expect(reply.status.code < 300 || reply.status == .conflict, "\(action) by \(name): \(reply.status) \(reply.text)")
                } else {
                    #expect(expected.matches(reply.status), "\(action) by \(name): \(reply.status) \(reply.text)")
                    #expect(try await AuditEntry.query(on: app.db).count() == entriesBefore, "\(action) by \(name) left an audit entry")
                }
            }
            // Refusals changed nothing visible.
            if let campaign = try await Campaign.find(world.campaign.id, on: app.db) {
                #expect(!campaign.title.contains("townAdmin") && !campaign.title.contains("chair"))
            }
        }
    }

    @Test func onlyAdminsManageAccountsAndOrgUnits() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            for name in ["chair", "teller", "scrutineer", "reportee"] {
                #expect(try await call(app, .GET, "api/v1/users", token: world.token(named: name)).status == .forbidden, "\(name)")
                let create = try await call(app, .POST, "api/v1/org-units", token: world.token(named: name),
                                            json: OrgUnitCreateRequest(parentID: world.town.id, name: "新支部", kind: "党支部", domain: "rural"))
                #expect(create.status == .forbidden, "\(name)")
            }
            #expect(try await OrgUnit.query(on: app.db).filter(\.$name == "新支部").count() == 0)
        }
    }
}

