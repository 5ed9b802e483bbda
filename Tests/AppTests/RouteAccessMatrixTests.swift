@testable import App
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

/// Every route in the route table × every role, in scope and out of it. The expected answers are written down per route
/// below; a route that is not written down fails `everyRouteIsInTheMatrix`, so a new endpoint cannot escape.
///
/// One letter per role, in the order of `RouteAccessMatrix.roles`:
/// `+` let through (any answer but 401/403/404/5xx: the body may still be refused, as a wrong state may),
/// `m` let through to a thing that does not exist (404 other than the campaign's own),
/// `n` hidden (404: out of scope looks like missing), `f` forbidden (403), `u` needs an account (401),
/// `p` a page: the HTML shell for anyone (its data comes from the API, checked here).
enum RouteAccessMatrix {
    static let roles = ["anonymous", "sysadmin", "districtAdmin", "townAdmin", "chair", "teller", "scrutineer",
                        "outsideChair", "reportee", "otherReportee"]

    static let expected: [String: String] = [
        "GET /healthz": "++++++++++",
        "GET /api/v1/openapi.json": "++++++++++",
        "POST /api/v1/session": "++++++++++",
        "DELETE /api/v1/session": "u+++++++++",
        "GET /api/v1/me": "u+++++++++",
        "POST /api/v1/me/password": "u+++++++++",
        "GET /api/v1/users": "u+++ffffff",
        "POST /api/v1/users": "u+++ffffff",
        "PATCH /api/v1/users/:userID": "u++mffffff",
        "DELETE /api/v1/users/:userID": "u++mffffff",
        "GET /api/v1/org-units": "u+++++++++",
        "POST /api/v1/org-units": "u+++ffffff",
        "PATCH /api/v1/org-units/:unitID": "u++mffffff",
        "DELETE /api/v1/org-units/:unitID": "u++mffffff",
        "POST /api/v1/org-units/import": "u+++ffffff",
        "DELETE /api/v1/demo": "u+ffffffff",
        "GET /api/v1/campaigns": "u+++++++++",
        "POST /api/v1/campaigns": "u+++ffffff",
        "GET /api/v1/campaigns/:campaignID": "u++n+++n+n",
        "PATCH /api/v1/campaigns/:campaignID": "u++nfffnfn",
        "DELETE /api/v1/campaigns/:campaignID": "u++nfffnfn",
        "POST /api/v1/campaigns/:campaignID/status": "u++nfffnfn",
        "PUT /api/v1/campaigns/:campaignID/forms": "u++nfffnfn",
        "PUT /api/v1/campaigns/:campaignID/rules": "u++nfffnfn",
        "GET /api/v1/campaigns/:campaignID/audit": "u++nfffnfn",
        "POST /api/v1/campaigns/:campaignID/rater-groups": "u++nfffnfn",
        "PATCH /api/v1/campaigns/:campaignID/rater-groups/:groupID": "u++nfffnfn",
        "DELETE /api/v1/campaigns/:campaignID/rater-groups/:groupID": "u++nfffnfn",
        "POST /api/v1/campaigns/:campaignID/reportees": "u++nfffnfn",
        "POST /api/v1/campaigns/:campaignID/reportees/import": "u++nfffnfn",
        "PATCH /api/v1/campaigns/:campaignID/reportees/:reporteeID": "u++nfffnfn",
        "DELETE /api/v1/campaigns/:campaignID/reportees/:reporteeID": "u++nfffnfn",
        "PUT /api/v1/campaigns/:campaignID/reportees/:reporteeID/report": "u++nfffn+n",
        "GET /api/v1/campaigns/:campaignID/reportees/:reporteeID/report": "ummnmmmnmn",
        "DELETE /api/v1/campaigns/:campaignID/reportees/:reporteeID/report": "ummnfffnmn",
        "GET /api/v1/campaigns/:campaignID/participants": "u++n+++nfn",
        "POST /api/v1/campaigns/:campaignID/participants": "u++nfffnfn",
        "PATCH /api/v1/campaigns/:campaignID/participants/:participantID": "u++nfffnfn",
        "DELETE /api/v1/campaigns/:campaignID/participants/:participantID": "u++nfffnfn",
        "POST /api/v1/campaigns/:campaignID/participants/import": "u++nfffnfn",
        "GET /api/v1/campaigns/:campaignID/meeting": "u++n+++nfn",
        "PUT /api/v1/campaigns/:campaignID/meeting/agenda": "u++n+ffnfn",
        "POST /api/v1/campaigns/:campaignID/meeting/current": "u++n+ffnfn",
        "POST /api/v1/campaigns/:campaignID/meeting/message": "u++n+ffnfn",
        "POST /api/v1/campaigns/:campaignID/speeches/:reporteeID/:action": "u++n+ffnfn",
        "POST /api/v1/campaigns/:campaignID/speeches/:reporteeID/comment": "u++n+ffnfn",
        "GET /api/v1/campaigns/:campaignID/attendance": "u++n+++nfn",
        "POST /api/v1/campaigns/:campaignID/check-in": "u++n+++nfn",
        "DELETE /api/v1/campaigns/:campaignID/check-in/:participantID": "u++n+++nfn",
        "GET /api/v1/campaigns/:campaignID/minutes": "u++n+++nfn",
        "GET /api/v1/campaigns/:campaignID/check-in-cards": "u++n+++nfn",
        "GET /api/v1/live/:token": "++++++++++",
        "GET /live/:token": "++++++++++",
        "GET /api/v1/campaigns/:campaignID/rounds": "u++n+++nfn",
        "POST /api/v1/campaigns/:campaignID/rounds": "u++n+ffnfn",
        "POST /api/v1/campaigns/:campaignID/rounds/:roundID/codes": "u++n+ffnfn",
        "POST /api/v1/campaigns/:campaignID/rounds/:roundID/seal": "u++n+ffnfn",
        "POST /api/v1/campaigns/:campaignID/rounds/:roundID/count": "u++n+ffnfn",
        "GET /api/v1/rounds/:roundID/receipts": "mmmmmmmmmm",
        "GET /api/v1/campaigns/:campaignID/rounds/:roundID/sheets": "u++n+++nfn",
        "POST /api/v1/campaigns/:campaignID/rounds/:roundID/sheets": "u++n+++nfn",
        "GET /api/v1/campaigns/:campaignID/rounds/:roundID/sheets/:serial": "ummnmmmnfn",
        "POST /api/v1/campaigns/:campaignID/rounds/:roundID/sheets/:serial/entry": "uffnf+fnfn",
        "POST /api/v1/campaigns/:campaignID/rounds/:roundID/sheets/:serial/decision": "uffnff+nfn",
        "POST /api/v1/campaigns/:campaignID/rounds/:roundID/sheets/:serial/withdraw": "ummnmmmnfn",
        "POST /api/v1/campaigns/:campaignID/rounds/:roundID/extra-sheets": "u++n+f+nfn",
        "GET /api/v1/campaigns/:campaignID/rounds/:roundID/forms/:group/:form/:page": "ummnmmmnfn",
        "PUT /api/v1/campaigns/:campaignID/rounds/:roundID/box-counts": "u++n+++nfn",
        "GET /api/v1/campaigns/:campaignID/rounds/:roundID/scans": "u++n+++nfn",
        "POST /api/v1/campaigns/:campaignID/rounds/:roundID/scans": "u++n+++nfn",
        "POST /api/v1/campaigns/:campaignID/rounds/:roundID/scans/sample": "uffnff+nfn",
        "GET /api/v1/campaigns/:campaignID/rounds/:roundID/scans/:scanID": "ummnmmmnfn",
        "GET /api/v1/campaigns/:campaignID/rounds/:roundID/scans/:scanID/image": "ummnmmmnfn",
        "POST /api/v1/campaigns/:campaignID/rounds/:roundID/scans/:scanID/decision": "uffnfmfnfn",
        "POST /api/v1/campaigns/:campaignID/rounds/:roundID/scans/:scanID/ruling": "uffnffmnfn",
        "POST /api/v1/campaigns/:campaignID/rounds/:roundID/scans/:scanID/sample-check": "uffnffmnfn",
        "POST /api/v1/campaigns/:campaignID/rounds/:roundID/scans/:scanID/discard": "uffnfmmnfn",
        "POST /api/v1/vote/check": "++++++++++",
        "POST /api/v1/vote": "++++++++++",
        "GET /api/v1/campaigns/:campaignID/results": "u++nfffnfn",
        "GET /api/v1/campaigns/:campaignID/results/:reporteeID": "u++nfffnfn",
        "GET /api/v1/campaigns/:campaignID/results/:reporteeID/charts/:chart": "u++nfffnfn",
        "GET /api/v1/campaigns/:campaignID/results/:reporteeID/history": "u++nfffnfn",
        "GET /api/v1/me/results": "u+++++++++",
        "GET /api/v1/overview": "u+++ffffff",
        "PUT /api/v1/campaigns/:campaignID/assessment-weights": "u++nfffnfn",
        "PUT /api/v1/campaigns/:campaignID/assessments/:reporteeID": "u++nfffnfn",
        "GET /api/v1/campaigns/:campaignID/publications": "u++nfffnfn",
        "POST /api/v1/campaigns/:campaignID/publications": "u++nfffnfn",
        "POST /api/v1/campaigns/:campaignID/publications/:publicationID/withdraw": "ummnfffnfn",
        "GET /api/v1/notices": "++++++++++",
        "GET /api/v1/notices/:publicationID": "mmmmmmmmmm",
        "GET /api/v1/campaigns/:campaignID/results.xlsx": "u++nfffnfn",
        "GET /api/v1/campaigns/:campaignID/results.csv": "u++nfffnfn",
        "GET /api/v1/campaigns/:campaignID/documents/results-notice.docx": "u++nfffnfn",
        "GET /api/v1/campaigns/:campaignID/documents/feedback.docx": "u++nfffnfn",
        "GET /api/v1/campaigns/:campaignID/documents/feedback/:reporteeID": "u++nfffnfn",
        "GET /api/v1/campaigns/:campaignID/documents/meeting-notice.docx": "u++nfffnfn",
        "GET /api/v1/campaigns/:campaignID/documents/minutes.docx": "u++nfffnfn",
        "GET /api/v1/campaigns/:campaignID/documents/rectification-notices.docx": "u++nfffnfn",
        "GET /api/v1/campaigns/:campaignID/documents/ledger.docx": "u++nfffnfn",
        "GET /api/v1/rectification": "u+++++++++",
        "POST /api/v1/rectification": "u+++ffffff",
        "GET /api/v1/rectification/draft": "u+++++++++",
        "GET /api/v1/rectification/dashboard": "u+++ffffff",
        "GET /api/v1/rectification/:itemID": "u++mmmmmmm",
        "PATCH /api/v1/rectification/:itemID": "u++mmmmmmm",
        "POST /api/v1/rectification/:itemID/actions": "u++mmmmmmm",
        "POST /api/v1/rectification/:itemID/evidence": "u++mmmmmmm",
        "GET /api/v1/rectification/:itemID/evidence/:evidenceID": "ummmmmmmmm",
        "GET /api/v1/rectification/reminders": "u+++++++++",
        "GET /api/v1/notices/rectification": "++++++++++",
        "GET /api/v1/rectification.xlsx": "u+++ffffff",
        "GET /m/:token": "mmmmmmmmmm",
        "GET /m/:token/reports/:reporteeID": "mmmmmmmmmm",
        "GET /": "pppppppppp",
        "GET /orgs": "pppppppppp",
        "GET /users": "pppppppppp",
        "GET /account": "pppppppppp",
        "GET /campaigns/:campaignID": "pppppppppp",
        "GET /campaigns/:campaignID/console": "pppppppppp",
        "GET /campaigns/:campaignID/check-in": "pppppppppp",
        "GET /campaigns/:campaignID/minutes": "pppppppppp",
        "GET /campaigns/:campaignID/check-in-cards": "pppppppppp",
        "GET /campaigns/:campaignID/tally": "pppppppppp",
        "GET /campaigns/:campaignID/rounds/:roundID/paper": "pppppppppp",
        "GET /campaigns/:campaignID/results": "pppppppppp",
        "GET /campaigns/:campaignID/results/:reporteeID": "pppppppppp",
        "GET /overview": "pppppppppp",
        "GET /rectification": "pppppppppp",
        "GET /rectification/:itemID": "pppppppppp",
        "GET /gongshi": "pppppppppp",
        "GET /gongshi/:publicationID": "pppppppppp",
        "GET /p/:token": "pppppppppp",
        "GET /v": "pppppppppp",
        "GET /receipts/:roundID": "pppppppppp",
    ]
}

@Suite("Route × role matrix, from the route table")
struct RouteAccessMatrixTests {
    /// The campaign in the meeting phase with a ballot round open, a ledger item of the district, the World's accounts.
    struct Fixture {
        var world: World
        var ids: [String: String]

        static func make(_ app: Application) async throws -> Fixture {
            let world = try await World.make(app)
            let base = "api/v1/campaigns/\(world.campaignID)"
            let admin = world.token(.districtAdmin)
            let reportee = try await Reportee.query(on: app.db).filter(\.$user.$id != nil).first()!
            let group = try await RaterGroup.query(on: app.db).first()!
            let participants = try await Participant.query(on: app.db).filter(\.$campaign.$id == world.campaign.id!).all()
            try await call(app, .POST, base + "/status", token: admin, json: ["status": "meeting"])
            try await call(app, .GET, base + "/meeting", token: admin)
            // three attendees: a round must issue at least the minimum group size
            for person in participants.filter({ $0.role == .attendee }).prefix(3) {
                try await call(app, .POST, base + "/check-in", token: admin, json: ["participantID": person.id!.uuidString])
            }
            let round = try await call(app, .POST, base + "/rounds", token: admin, json: [String: String]())
            let roundID = try JSONSerialization.jsonObject(with: Data(buffer: round.body)) as! [String: Any]
            let item = try await call(app, .POST, "api/v1/rectification", token: admin, json: [
                "orgUnitID": world.district.id!.uuidString, "source": "inspection", "problem": "问题", "plan": "措施",
                "linkedLeader": "领导", "responsibleUnit": "单位", "responsiblePerson": "责任人", "deadline": "2099-12-31",
            ])
            let itemID = try JSONSerialization.jsonObject(with: Data(buffer: item.body)) as! [String: Any]
            let teller = try await User.query(on: app.db).filter(\.$username == "teller").first()!
            let meeting = try await Meeting.query(on: app.db).first()!
            return Fixture(world: world, ids: [
                "campaignID": world.campaignID, "reporteeID": reportee.id!.uuidString, "groupID": group.id!.uuidString,
                "participantID": participants[5].id!.uuidString,
                "roundID": ((roundID["round"] as! [String: Any])["id"] as! String),
                "itemID": ((itemID["item"] as! [String: Any])["id"] as! String),
                "userID": teller.id!.uuidString, "unitID": world.district.id!.uuidString,
                "token": meeting.projectorToken, "serial": "1", "action": "start", "chart": "overall",
                "publicationID": UUID().uuidString, "evidenceID": UUID().uuidString, "scanID": UUID().uuidString,
                "group": "0", "form": "0", "page": "0",
            ])
        }

        func path(_ route: Route) -> String {
            route.path.map { component -> String in
                if case .parameter(let name) = component { return ids[name] ?? "unknown-\(name)" }
                return component.description
            }.joined(separator: "/")
        }
    }

    static func key(_ route: Route) -> String { "\(route.method.rawValue) /\(route.path.map(\.description).joined(separator: "/"))" }

    static func routeKeys() async throws -> [String] {
        var keys: [String] = []
        try await withApp(.sqlite) { app in keys = app.routes.all.map(key) }
        return keys
    }

    /// What a role got, as one letter.
    static func letter(_ reply: Reply, page: Bool) -> Character {
        switch reply.status.code {
        case 401: "u"
        case 403: "f"
        case 404: reply.text.contains("评议活动") ? "n" : "m"
        case 500...: "!"
        default: page && reply.headers.contentType == .html ? "p" : "+"
        }
    }

    /// Rows in every table and the audit log's length: a refusal must leave them as they were.
    static func fingerprint(_ db: any Database) async throws -> [String: Int] {
        let sql = db as! any SQLDatabase
        struct Name: Decodable { var name: String }
        struct Count: Decodable { var n: Int }
        var counts: [String: Int] = [:]
        for table in try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table'").all(decoding: Name.self) {
            counts[table.name] = try await sql.raw("SELECT count(*) AS n FROM \(ident: table.name)").first(decoding: Count.self)?.n
        }
        return counts
    }

    @Test func everyRouteIsInTheMatrix() async throws {
        let keys = Set(try await Self.routeKeys())
        let missing = keys.subtracting(RouteAccessMatrix.expected.keys).sorted()
        let stale = Set(RouteAccessMatrix.expected.keys).subtracting(keys).sorted()
        #expect(missing.isEmpty, "routes with no row in the matrix: \(missing)")
        #expect(stale.isEmpty, "rows for routes that no longer exist: \(stale)")
    }

    /// The given roles in turn on one route of a fresh fixture: the letter each got, and whether every refusal left the
    /// database as it was.
    static func letters(_ key: String, roles: [String]) async throws -> (letters: [String: Character], refusalsChangedNothing: Bool) {
        var letters: [String: Character] = [:]
        var unchanged = true
        try await withApp(.sqlite) { app in
            let fixture = try await Fixture.make(app)
            guard let route = app.routes.all.first(where: { Self.key($0) == key }) else { return }
            for role in roles {
                let before = try await Self.fingerprint(app.db)
                let token = role == "anonymous" ? nil : fixture.world.token(named: role)
                let reply = try await call(app, route.method, fixture.path(route), token: token,
                                           json: route.method == .GET || route.method == .DELETE ? nil : [String: String]())
                let letter = Self.letter(reply, page: !fixture.path(route).hasPrefix("api/"))
                letters[role] = letter
                if "unf".contains(letter), try await Self.fingerprint(app.db) != before { unchanged = false }
            }
        }
        return (letters, unchanged)
    }

    /// Refused roles go first, so what they try meets the fixture untouched; a role let through to a DELETE gets a
    /// fixture of its own (the one before it may have removed the thing).
    @Test(arguments: RouteAccessMatrix.expected.keys.sorted())
    func eachRoleGetsWhatTheMatrixSays(route key: String) async throws {
        // Setup
        let expected = Dictionary(uniqueKeysWithValues: zip(RouteAccessMatrix.roles, RouteAccessMatrix.expected[key]!))
        let refused = RouteAccessMatrix.roles.filter { "unf".contains(expected[$0]!) }
        let through = RouteAccessMatrix.roles.filter { !"unf".contains(expected[$0]!) }
        // Call
        var got: [String: Character] = [:]
        var refusalsChangedNothing = true
        if key.hasPrefix("DELETE "), through.count > 1 {
            let first = try await Self.letters(key, roles: refused + [through[0]])
            got = first.letters
            refusalsChangedNothing = first.refusalsChangedNothing
            for role in through.dropFirst() { got.merge(try await Self.letters(key, roles: [role]).letters) { $1 } }
        } else {
            (got, refusalsChangedNothing) = try await Self.letters(key, roles: refused + through)
        }
        // Check
        let row = String(RouteAccessMatrix.roles.map { got[$0] ?? "?" })
        #expect(row == RouteAccessMatrix.expected[key]!, "\(key): expected \(RouteAccessMatrix.expected[key]!), got \(row) (\(RouteAccessMatrix.roles.joined(separator: " ")))")
        #expect(refusalsChangedNothing, "\(key): a refused request changed the database")
    }

    /// Prints what each role gets on every route today, as matrix rows to review before writing them down.
    @Test func observe() async throws {
        guard ProcessInfo.processInfo.environment["PINGYI_OBSERVE_MATRIX"] != nil else { return }
        var keys: [String] = []
        try await withApp(.sqlite) { app in keys = app.routes.all.map(Self.key) }
        var rows: [String] = []
        for key in keys {
            let got = try await Self.letters(key, roles: RouteAccessMatrix.roles).letters
            rows.append("        \"\(key)\": \"\(String(RouteAccessMatrix.roles.map { got[$0] ?? "?" }))\",")
        }
        print("MATRIX\n" + rows.joined(separator: "\n"))
    }
}

/// The lifecycle dimension of the matrix: in an archived campaign (published from a counted round), every route that
/// changes a campaign or its rounds is refused for the system admin, and nothing in the database changes.
@Suite("Route matrix × lifecycle: 归档 is read-only")
struct ArchivedCampaignRouteTests: BallotBoxHelpers {
    @Test func everyChangingRouteOfAnArchivedCampaignIsRefused() async throws {
        try await withApp(.sqlite) { app in
            let box = try await openBox(app, present: 4)
            let check = try await spec(app, box, code: box.codes[0])
            _ = try await vote(app, code: box.codes[0], marks: fullMarks(check))
            let admin = box.world.token(.sysadmin)
            let base = "api/v1/campaigns/\(box.world.campaignID)"
            for step in ["seal", "count"] { _ = try await call(app, .POST, "\(box.base)/\(box.roundID)/\(step)", token: box.world.token(.chair)) }
            let published = try await call(app, .POST, "\(base)/publications", token: admin,
                                           json: PublicationRequest(reporteeIDs: [check.reportees[0].id], days: 7))
            #expect(published.status == .created)
            #expect(try await call(app, .POST, "\(base)/status", token: admin, json: ["status": "archived"]).status == .ok)
            let publication = try #require(try await Publication.query(on: app.db).first())
            let group = try await RaterGroup.query(on: app.db).first()!
            let participant = try await Participant.query(on: app.db).first()!
            let ids = ["campaignID": box.world.campaignID, "roundID": box.roundID.uuidString, "reporteeID": check.reportees[0].id.uuidString,
                       "groupID": group.id!.uuidString, "participantID": participant.id!.uuidString, "serial": "1", "action": "start",
                       "publicationID": publication.id!.uuidString]
            // Bodies that would pass decoding where a route takes one, so the refusal is the lifecycle's.
            let bodies: [String: any Encodable & Sendable] = [
                "status": ["status": "preparing"], "codes": ExtraCodesRequest(raterGroupID: group.id!, count: 1),
                "sheets": NumberSheetRequest(raterGroupID: group.id!), "extra-sheets": ["count": 1],
                "entry": PaperEntryRequest(marks: "", unreadable: true), "decision": PaperEntryRequest(marks: "", unreadable: true),
                "check-in": CheckInRequest(participantID: participant.id), "participants": ParticipantInput(name: "甲", role: "observer"),
                "rounds": RoundOpenRequest(), "publications": PublicationRequest(reporteeIDs: [check.reportees[0].id], days: 7),
            ]
            let before = try await RouteAccessMatrixTests.fingerprint(app.db)
            var let_through: [String] = []
            var tried = 0, wrongState = 0
            for route in app.routes.all where route.method != .GET {
                let path = route.path.map { component -> String in
                    if case .parameter(let name) = component { return ids[name] ?? name }
                    return component.description
                }
                guard path.starts(with: ["api", "v1", "campaigns", box.world.campaignID]) else { continue }
                let last = path.count > 4 ? path.last! : ""
                let reply = try await call(app, route.method, path.joined(separator: "/"), token: admin,
                                           json: route.method == .DELETE ? nil : (bodies[last] ?? [String: String]()))
                tried += 1
                if reply.status == .conflict, reply.text.contains("wrong_state") { wrongState += 1 }
                if (200..<300).contains(Int(reply.status.code)) { let_through.append(RouteAccessMatrixTests.key(route)) }
                #expect(reply.status.code < 500, "\(RouteAccessMatrixTests.key(route)): \(reply.status)")
            }
            #expect(let_through.isEmpty, "changed an archived campaign: \(let_through)")
            // the sweep reached the routes, and most refusals are the lifecycle's own
            #expect(tried >= 25 && wrongState * 2 > tried, "tried \(tried), wrong_state \(wrongState)")
            #expect(try await RouteAccessMatrixTests.fingerprint(app.db) == before)
        }
    }
}
