@testable import App
import Fluent
import Foundation
import PingyiCore
import Testing
import Vapor

/// The capabilities the server sends (`may` on the campaign detail, the scans overview and /api/v1/me) tell the truth:
/// for every account that reaches the World's campaign, in every phase, a field that says "allowed" is one the route
/// then admits, and a field that says "not" is one the route refuses (403, or 409 for the phase). Fields that only
/// offer a page (a link) are checked for their role: allowed is admitted, and a role never offered it is refused.
@Suite("Capabilities tell the truth")
struct CapabilityTruthTests {
    /// The World's accounts that reach its campaign (out-of-scope accounts never see the detail).
    static let accounts: [WorldAccount] = [.sysadmin, .districtAdmin, .chair, .teller, .scrutineer, .reportee]

    /// How a field is checked against its route.
    enum Kind { case enforced, offer }

    struct Probe {
        var field: KeyPath<CampaignCapabilities, Bool>
        var name: String
        var kind: Kind
        var method: HTTPMethod
        var path: String
        var json: [String: String]?
        var raw: Data? = nil
    }

    static func probes(_ ids: [String: String], title: String) -> [Probe] {
        let base = "api/v1/campaigns/\(ids["campaign"]!)"
        let round = "\(base)/rounds/\(UUID().uuidString)"
        let scan = "\(round)/scans/\(UUID().uuidString)"
        return [
            Probe(field: \.editInfo, name: "editInfo", kind: .enforced, method: .PATCH, path: base, json: ["title": title]),
            Probe(field: \.editSetup, name: "editSetup", kind: .enforced, method: .PUT, path: "\(base)/rules", json: [:]),
            Probe(field: \.editPeople, name: "editPeople", kind: .enforced, method: .POST, path: "\(base)/participants", json: [:]),
            Probe(field: \.uploadReports, name: "uploadReports", kind: .enforced, method: .PUT,
                  path: "\(base)/reportees/\(ids["unlinkedReportee"]!)/report", json: nil, raw: Data()),
            Probe(field: \.runMeeting, name: "runMeeting", kind: .enforced, method: .POST,
                  path: "\(base)/speeches/\(ids["unlinkedReportee"]!)/no-such-action", json: [:]),
            Probe(field: \.checkIn, name: "checkIn", kind: .enforced, method: .POST, path: "\(base)/check-in", json: [:]),
            Probe(field: \.number, name: "number", kind: .enforced, method: .POST, path: "\(round)/sheets", json: [:]),
            Probe(field: \.enter, name: "enter", kind: .enforced, method: .POST, path: "\(round)/sheets/1/entry", json: [:]),
            Probe(field: \.decide, name: "decide", kind: .enforced, method: .POST, path: "\(round)/sheets/1/decision", json: [:]),
            Probe(field: \.extraSheets, name: "extraSheets", kind: .enforced, method: .POST, path: "\(round)/extra-sheets", json: [:]),
            Probe(field: \.scan, name: "scan", kind: .enforced, method: .POST, path: "\(round)/scans", json: nil, raw: Data([1])),
            Probe(field: \.decideScans, name: "decideScans", kind: .enforced, method: .POST, path: "\(scan)/decision", json: [:]),
            Probe(field: \.ruleScans, name: "ruleScans", kind: .enforced, method: .POST, path: "\(scan)/ruling", json: [:]),
            Probe(field: \.drawSample, name: "drawSample", kind: .enforced, method: .POST, path: "\(round)/scans/sample", json: [:]),
            Probe(field: \.dropScans, name: "dropScans", kind: .enforced, method: .POST, path: "\(scan)/discard", json: [:]),
            Probe(field: \.meetingPages, name: "meetingPages", kind: .offer, method: .GET, path: "\(base)/meeting", json: nil),
            Probe(field: \.rehearse, name: "rehearse", kind: .offer, method: .POST, path: "\(base)/meeting/message", json: ["text": ""]),
            Probe(field: \.printCards, name: "printCards", kind: .offer, method: .GET, path: "\(base)/check-in-cards", json: nil),
            Probe(field: \.tally, name: "tally", kind: .offer, method: .GET, path: "\(base)/rounds", json: nil),
            Probe(field: \.results, name: "results", kind: .offer, method: .GET, path: "\(base)/results", json: nil),
        ]
    }

    /// The route let the account through to its own checks (a body or a state may still be refused).
    static func admitted(_ reply: Reply) -> Bool {
        ![401, 403].contains(reply.status.code) && reply.status.code < 500
            && !(reply.status == .notFound && reply.text.contains("评议活动"))
    }

    /// The World's campaign in `phase`: to the meeting by the route (check-in codes are assigned), beyond it by the row.
    static func enter(_ phase: CampaignPhase, _ app: Application, _ world: World) async throws {
        guard phase != .preparing else { return }
        let moved = try await call(app, .POST, "api/v1/campaigns/\(world.campaignID)/status", token: world.token(.districtAdmin),
                                   json: ["status": "meeting"])
        #expect(moved.status == .ok, "to 会议中: \(moved.status) \(moved.text)")
        guard phase != .meeting else { return }
        let campaign = try #require(try await Campaign.find(world.campaign.id, on: app.db))
        campaign.status = phase
        try await campaign.save(on: app.db)
    }

    @Test(arguments: TestDatabase.available, CampaignPhase.allCases)
    func eachCampaignFieldAgreesWithItsRoute(_ database: TestDatabase, phase: CampaignPhase) async throws {
        try await withApp(database) { app in
            // Setup
            let world = try await World.make(app)
            try await Self.enter(phase, app, world)
            let unlinked = try #require(try await Reportee.query(on: app.db).filter(\.$campaign.$id == world.campaign.id!)
                .filter(\.$user.$id == nil).first())
            let probes = Self.probes(["campaign": world.campaignID, "unlinkedReportee": unlinked.id!.uuidString],
                                     title: world.campaign.title)
            for account in Self.accounts {
                // Call
                let detail = try await call(app, .GET, "api/v1/campaigns/\(world.campaignID)", token: world.token(account))
                #expect(detail.status == .ok)
                let may = try #require(try detail.decode(CampaignDetailDTO.self).may, "\(account): no may")
                let role = try await actor(app, account == .sysadmin ? "admin" : account.rawValue).role
                #expect(may == CampaignCapabilities.of(role, in: phase))
                for probe in probes {
                    let reply = try await call(app, probe.method, probe.path, token: world.token(account), json: probe.json, raw: probe.raw)
                    let allowed = may[keyPath: probe.field]
                    let context = "\(account) · \(phase.label) · \(probe.name) = \(allowed): \(probe.method) → \(reply.status.code) \(reply.text.prefix(120))"
                    // Check
                    switch (probe.kind, allowed) {
                    case (.enforced, true):
                        #expect(Self.admitted(reply) && reply.status != .conflict, "\(context)")
                    case (.enforced, false):
                        #expect([403, 409].contains(reply.status.code), "\(context)")
                    case (.offer, true):
                        #expect(Self.admitted(reply), "\(context)")
                    case (.offer, false):
                        let neverOffered = CampaignPhase.allCases.allSatisfy { !CampaignCapabilities.of(role, in: $0)[keyPath: probe.field] }
                        if neverOffered { #expect(!Self.admitted(reply), "\(context)") }
                    }
                }
            }
        }
    }

    /// /api/v1/me: the roles it offers are the ones account creation accepts, and the rest are refused; top-level units,
    /// demo removal and one's own results likewise.
    @Test(arguments: TestDatabase.available)
    func accountFieldsAgreeWithTheirRoutes(_ database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            for account: WorldAccount in [.sysadmin, .districtAdmin, .chair, .teller, .reportee] {
                let token = world.token(account)
                let me = try await call(app, .GET, "api/v1/me", token: token)
                let may = try #require(try me.decode(MeDTO.self).may)
                let unit = account == .sysadmin ? nil : world.district.id!.uuidString
                for role in User.Role.allCases {
                    let name = "cap-\(account.rawValue.lowercased())-\(role.rawValue)".replacingOccurrences(of: "_", with: "-")
                    var body = ["username": name, "displayName": "测试", "role": role.rawValue, "password": "password-123"]
                    if role != .systemAdmin { body["orgUnitID"] = unit ?? world.district.id!.uuidString }
                    let created = try await call(app, .POST, "api/v1/users", token: token, json: body)
                    let offered = may.createRoles.contains(role.rawValue)
                    #expect(offered == (created.status == .created || created.status == .ok),
                            "\(account) creating \(role.rawValue): offered \(offered), got \(created.status.code) \(created.text.prefix(100))")
                }
                let top = try await call(app, .POST, "api/v1/org-units", token: token,
                                         json: OrgUnitCreateRequest(parentID: nil, name: "顶级\(account.rawValue)", kind: "党委", domain: "rural"))
                #expect(may.createTopLevelUnits == (top.status == .created || top.status == .ok),
                        "\(account) top-level unit: \(may.createTopLevelUnits), got \(top.status.code) \(top.text.prefix(100))")
                #expect(may.admin == Self.admitted(try await call(app, .GET, "api/v1/users", token: token)))
                if !may.removeDemo {
                    #expect(try await call(app, .DELETE, "api/v1/demo", token: token).status == .forbidden)
                }
                let mine = try await call(app, .GET, "api/v1/me/results", token: token).decode([MyResultDTO].self)
                #expect(may.ownResults == !mine.isEmpty, "\(account) own results")
            }
        }
    }

    /// Per scanned page: `actions` name what the account's policy admits, and nothing once the round is not sealed.
    @Test func scanActionsFollowTheRoundAndThePolicy() {
        let teller = CampaignCapabilities.of(.teller, in: .meeting)
        let scrutineer = CampaignCapabilities.of(.scrutineer, in: .meeting)
        let chair = CampaignCapabilities.of(.chair, in: .meeting)
        #expect(ScanActions.of(state: .unsure, decidedByMe: false, roundState: .sealed, may: teller) == ["decide", "discard"])
        #expect(ScanActions.of(state: .decidedOnce, decidedByMe: true, roundState: .sealed, may: teller) == ["discard"])
        #expect(ScanActions.of(state: .mismatch, decidedByMe: false, roundState: .sealed, may: scrutineer) == ["rule", "discard"])
        #expect(ScanActions.of(state: .possibleDuplicate, decidedByMe: false, roundState: .sealed, may: scrutineer) == ["rule", "discard"])
        #expect(ScanActions.of(state: .unsure, decidedByMe: false, roundState: .sealed, may: chair) == [])
        #expect(ScanActions.of(state: .discarded, decidedByMe: false, roundState: .sealed, may: scrutineer) == [])
        #expect(ScanActions.of(state: .unsure, decidedByMe: false, roundState: .counted, may: teller) == [])
    }
}

/// No page re-derives a role or phase rule: the browser reads the capabilities the server sends.
@Suite("Browser fitness: no role or phase rules in Public/js")
struct BrowserRuleFitnessTests {
    static var jsFolder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Public/js")
    }

    /// A role compared by hand, or a campaign phase tested by name.
    static let forbidden = ["role ===", "role !==", "role()", "role ==", "status === \"preparing\"", "status !== \"preparing\"",
                            "status === \"meeting\"", "status !== \"meeting\"", "status === \"archived\"", "status !== \"archived\"",
                            "[\"preparing\", \"meeting\"]"]

    @Test func noPageComparesARoleOrAPhase() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.jsFolder.path).filter { $0.hasSuffix(".js") }
        #expect(files.count > 5)
        var found: [String] = []
        for file in files {
            let text = try String(contentsOf: Self.jsFolder.appendingPathComponent(file), encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                // A participant's role (出席/列席/指导) and a listed account's role are data, not the reader's rights.
                if line.contains("p.role") || line.contains("role === \"attendee\"") || line.contains("u.role") { continue }
                for pattern in Self.forbidden where line.contains(pattern) { found.append("\(file):\(number + 1): \(pattern)") }
            }
        }
        #expect(found.isEmpty, "role or phase rules in the browser (send a capability instead): \(found)")
    }
}
