@testable import App
import Fluent
import Foundation
import PingyiCore
import Testing
import Vapor

/// `Ledger` called directly: set up, run the operation, check what is stored.
@Suite("Ledger operations")
struct LedgerOperationTests {
    struct Setup {
        var world: World
        var wang: Reportee
        var admin: Actor
        var owner: Actor
    }

    func setUp(_ app: Application) async throws -> Setup {
        let world = try await World.make(app)
        let wang = try #require(try await Reportee.query(on: app.db).filter(\.$name == "王建华").first())
        return Setup(world: world, wang: wang, admin: try await actor(app, "districtAdmin"), owner: try await actor(app, "reportee"))
    }

    func request(_ s: Setup, deadline: String = CalendarDay.day(Date().addingTimeInterval(30 * 86_400))) -> RectificationItemRequest {
        var body = RectificationItemRequest()
        body.campaignID = s.world.campaign.id
        body.reporteeID = s.wang.id
        body.source = RectificationSource.inspection.rawValue
        body.problem = "村级集体经济薄弱"
        body.plan = "年底前每村落实一个增收项目"
        body.linkedLeader = "区委副书记"
        body.responsibleUnit = s.wang.unitName
        body.responsiblePerson = s.wang.name
        body.ownerUserID = s.wang.$user.id
        body.deadline = deadline
        return body
    }

    func events(_ app: Application, _ item: RectificationItem) async throws -> [String] {
        try await RectificationEvent.query(on: app.db).filter(\.$item.$id == item.id!).sort(\.$at).all().map(\.action)
    }

    func act(_ action: RectificationAction, _ item: RectificationItem, _ who: Actor, note: String = "", on app: Application) async throws -> RectificationItem {
        try await Ledger.apply(RectificationActionRequest(action: action.rawValue, note: note, deadline: nil), to: item,
                               as: rectificationRole(of: who, for: item), by: who, on: app.db)
    }

    @Test(arguments: TestDatabase.available)
    func anItemIsIssuedWorkedAndClosedByAnotherPerson(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let s = try await setUp(app)
            // create
            var item = try await Ledger.create(request(s), by: s.admin, on: app.db)
            #expect(item.state == .issued && item.ownerUserID == s.owner.id && item.reporteeID == s.wang.id)
            #expect(try await auditActions(app).last == "rectification.create")
            // the owner works it; closing needs evidence
            item = try await act(.acknowledge, item, s.owner, on: app)
            item = try await act(.progress, item, s.owner, note: "已完成一半", on: app)
            await #expect(throws: RectificationError.evidenceRequired) { try await act(.requestClose, item, s.owner, note: "已完成", on: app) }
            let evidence = try await Ledger.addEvidence(Data("佐证".utf8), as: ReportFile.Checked(fileName: "佐证.txt", contentType: "text/plain", sha256: sha256Hex(Data("佐证".utf8))),
                                                        to: item, by: s.owner, on: app.db)
            #expect(evidence.byteCount == 6 && evidence.uploadedBy == s.owner.user.displayName)
            item = try #require(try await RectificationItem.find(item.id, on: app.db))
            #expect(item.evidenceCount == 1)
            item = try await act(.requestClose, item, s.owner, note: "已完成", on: app)
            // separation of duties: not the owner
            await #expect(throws: RectificationError.notAllowed(.approveClose)) { try await act(.approveClose, item, s.owner, on: app) }
            item = try await act(.approveClose, item, s.admin, on: app)
            // check
            let stored = try #require(try await RectificationItem.find(item.id, on: app.db))
            #expect(stored.state == .closed && stored.closedAt != nil)
            #expect(try await events(app, stored) == ["create", "acknowledge", "progress", "evidence", "request_close", "approve_close"])
            await #expect(throws: LedgerRuleError.closedForEvidence) {
                try await Ledger.addEvidence(Data("x".utf8), as: ReportFile.Checked(fileName: "x.txt", contentType: "text/plain", sha256: ""),
                                             to: stored, by: s.owner, on: app.db)
            }
        }
    }

    /// Two approvals from the same state: the second one's copy is stale, and the claim refuses it.
    @Test(arguments: TestDatabase.available)
    func aStaleCopyCannotActTwice(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let s = try await setUp(app)
            let item = try await Ledger.create(request(s), by: s.admin, on: app.db)
            let stale = try #require(try await RectificationItem.find(item.id, on: app.db))
            _ = try await act(.acknowledge, item, s.owner, on: app)
            await #expect(throws: APIError.self) { try await act(.acknowledge, stale, s.admin, on: app) }
            #expect(try await events(app, item) == ["create", "acknowledge"])
        }
    }

    @Test(arguments: TestDatabase.available)
    func anEditKeepsTheDeadlineAndTheOwnerWhereTheyBelong(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let s = try await setUp(app)
            let item = try await Ledger.create(request(s), by: s.admin, on: app.db)
            var moved = RectificationItemRequest()
            moved.deadline = CalendarDay.day(Date().addingTimeInterval(90 * 86_400))
            await #expect(throws: LedgerRuleError.deadlineOnlyByExtension) {
                try await Ledger.edit(item, as: .admin, with: moved, by: s.admin, on: app.db)
            }
            var plan = RectificationItemRequest()
            plan.plan = "新的整改措施"
            await #expect(throws: LedgerRuleError.notEditor) { try await Ledger.edit(item, as: .owner, with: plan, by: s.owner, on: app.db) }
            var handOver = plan
            handOver.ownerUserID = s.admin.id
            await #expect(throws: LedgerRuleError.ownerCannotHandOver) {
                try await Ledger.edit(item, as: .adminOwner, with: handOver, by: s.admin, on: app.db)
            }
            _ = try await Ledger.edit(item, as: .admin, with: plan, by: s.admin, on: app.db)
            let stored = try #require(try await RectificationItem.find(item.id, on: app.db))
            #expect(stored.plan == "新的整改措施" && stored.ownerUserID == s.owner.id)
            #expect(try await events(app, stored) == ["create", "edit"])
            #expect(try await auditActions(app).suffix(2) == ["rectification.create", "rectification.edit"])
        }
    }

    @Test(arguments: TestDatabase.available)
    func aNewItemNeedsAFutureDeadlineAndAUnitInScope(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let s = try await setUp(app)
            await #expect(throws: LedgerRuleError.deadlineInPast) {
                try await Ledger.create(request(s, deadline: "2001-01-01"), by: s.admin, on: app.db)
            }
            var outside = request(s)
            outside.campaignID = nil
            outside.reporteeID = nil
            outside.orgUnitID = s.world.otherTown.id
            let town = try await actor(app, "townAdmin")
            await #expect(throws: APIError.self) { try await Ledger.create(outside, by: town, on: app.db) }
            #expect(try await RectificationItem.query(on: app.db).count() == 0)
        }
    }
}
