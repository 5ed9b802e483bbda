@testable import App
import Fluent
import Foundation
import PingyiCore
import Testing
import Vapor

/// Issue 22, finding 2: after a valid count the API still opened a new round (201), so a chair could pad a second
/// round to expose one voter. No round opens after a valid count, by any route, in any state; a void round is
/// repeated.
@Suite("No round after a valid count")
struct RoundAfterCountTests: BallotBoxHelpers {
    func open(_ app: Application, _ box: Box) async throws -> Reply {
        try await call(app, .POST, box.base, token: box.world.token(.chair), json: RoundOpenRequest())
    }

    /// A box with three phone ballots, sealed and counted (valid).
    func countedBox(_ app: Application) async throws -> Box {
        let box = try await openBox(app, present: 4)
        let check = try await spec(app, box, code: box.codes[0])
        for code in box.codes.prefix(3) { #expect(try await vote(app, code: code, marks: fullMarks(check)).status == .ok) }
        for step in ["seal", "count"] {
            #expect(try await call(app, .POST, "\(box.base)/\(box.roundID)/\(step)", token: box.world.token(.chair)).status == .ok)
        }
        return box
    }

    @Test(arguments: TestDatabase.available)
    func noRoundOpensAfterAValidCountInAnyPhase(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let box = try await countedBox(app)
            let base = "api/v1/campaigns/\(box.world.campaignID)"
            let admin = box.world.token(.districtAdmin)
            // 会议中 with a counted round: refused with a reason that says why.
            let refused = try await open(app, box)
            try expectError(refused, .conflict, code: "wrong_state")
            #expect(try refused.decode(ErrorBody.self).reason.contains("有效"), "\(refused.text)")
            // Two at once and a double click: both refused.
            let both = try await concurrently(2) { try await open(app, box).status }
            #expect(both == [.conflict, .conflict])
            // 已发布 and 归档: refused too.
            #expect(try await call(app, .POST, "\(base)/status", token: admin, json: ["status": "published"]).status == .ok)
            try expectError(try await open(app, box), .conflict)
            #expect(try await call(app, .POST, "\(base)/status", token: admin, json: ["status": "archived"]).status == .ok)
            try expectError(try await open(app, box), .conflict)
            #expect(try await BallotRound.query(on: app.db).count() == 1)
            #expect(try await BallotCode.query(on: app.db).count() == 4)
        }
    }

    /// While a round is open or sealed no other opens; before the meeting none; a void round is repeated — once,
    /// however many clicks.
    @Test(arguments: TestDatabase.available)
    func aRoundOpensOnlyInTheMeetingWithNoneUnfinishedAndNoneCounted(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let base = "api/v1/campaigns/\(world.campaignID)"
            try expectError(try await call(app, .POST, "\(base)/rounds", token: world.token(.chair), json: RoundOpenRequest()), .conflict)
            #expect(try await BallotRound.query(on: app.db).count() == 0)
        }
        try await withApp(database) { app in
            let box = try await openBox(app, present: 4, paperSheetsOfFirstGroup: 3)
            try expectError(try await open(app, box), .conflict)
            #expect(try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: box.world.token(.chair)).status == .ok)
            try expectError(try await open(app, box), .conflict)
            // Four extra sheets against three issued: the count voids the round.
            #expect(try await call(app, .POST, "\(box.base)/\(box.roundID)/extra-sheets", token: box.world.token(.scrutineer),
                                   json: ["count": 4]).status == .ok)
            let counted = try await call(app, .POST, "\(box.base)/\(box.roundID)/count", token: box.world.token(.chair)).decode(RoundDTO.self)
            #expect(counted.state == "void")
            let statuses = try await concurrently(2) { try await open(app, box).status }
            #expect(statuses.sorted { $0.code < $1.code } == [.created, .conflict], "\(statuses)")
            #expect(try await BallotRound.query(on: app.db).count() == 2)
        }
    }
}
