@testable import App
import Fluent
import Foundation
import PingyiCore
import Testing
import Vapor

/// Issue 23's walk: the minutes have a 民主评议 section — each round's issued and returned, valid and void only from
/// the count on, and each rater group's counts; nothing per voter (no code, no receipt, no ballot content).
@Suite("The minutes' 民主评议 section")
struct MinutesRoundsTests: BallotBoxHelpers {
    @Test(arguments: TestDatabase.available)
    func theMinutesListEachRoundWithCountsOnlyAndValidAndVoidAfterTheCount(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let box = try await openBox(app, present: 12)
            let minutesPath = "api/v1/campaigns/\(box.world.campaignID)/minutes"
            for code in box.codes.prefix(3) {
                let reply = try await vote(app, code: code, marks: fullMarks(try await spec(app, box, code: code)))
                #expect(reply.status == .ok, "\(reply.text)")
            }
            // Voting: issued and returned as the console shows them; no valid / void yet.
            let reply = try await call(app, .GET, minutesPath, token: box.world.token(.chair))
            #expect(reply.status == .ok)
            let open = try reply.decode(MinutesDTO.self)
            let round = try #require(open.rounds.first)
            #expect(open.rounds.count == 1 && round.number == 1)
            #expect(round.issued == box.opened.round.issued && round.returned == 3)
            #expect(round.valid == nil && round.void == nil && round.verdictLabel == nil)
            #expect(round.groups.map(\.issued).reduce(0, +) == box.codes.count)
            #expect(round.groups.map(\.received).reduce(0, +) == 3)
            for code in box.codes { #expect(!reply.text.contains(code), "a voting code in the minutes") }
            // Counted: valid, void and the verdict, the same figures as the round's reconciliation.
            #expect(try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: box.world.token(.chair)).status == .ok)
            let counted = try await call(app, .POST, "\(box.base)/\(box.roundID)/count", token: box.world.token(.chair)).decode(RoundDTO.self)
            let after = try await call(app, .GET, minutesPath, token: box.world.token(.chair)).decode(MinutesDTO.self)
            let line = try #require(after.rounds.first)
            let reconciliation = try #require(counted.reconciliation)
            #expect(line.valid == reconciliation.valid && line.void == reconciliation.void && line.valid == 3)
            #expect(line.returned == counted.received && line.verdictLabel == reconciliation.verdictLabel)
            let receipts = try await BallotReceipt.query(on: app.db).all().compactMap(\.id)
            let text = try await call(app, .GET, minutesPath, token: box.world.token(.chair)).text
            for receipt in receipts { #expect(!text.contains(receipt), "a receipt in the minutes") }
        }
    }
}
