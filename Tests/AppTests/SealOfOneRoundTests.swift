@testable import App
import Fluent
import Foundation
import PingyiCore
import SQLKit
import Testing
import Vapor

/// Issue 25: a seal touches only its own round. On PostgreSQL it rewrites its round's partitions and nothing else, so
/// another meeting, busy in its own round, neither holds the seal back nor is held back by it.
@Suite("A seal touches only its own round")
struct SealOfOneRoundTests: BallotBoxHelpers {
    func vote(_ app: Application, _ box: Box, code: String) async throws -> HTTPStatus {
        let check = try await spec(app, box, code: code)
        var marks: [String: [String: String]] = [:]
        for reportee in check.reportees {
            for form in check.forms { marks[reportee.id.uuidString, default: [:]][form.id] = String(repeating: "1", count: form.columns.count) }
        }
        return try await call(app, .POST, "api/v1/vote", json: VoteRequest(code: code, submissionID: UUID().uuidString, ballot: marks)).status
    }

    /// The files each of a round's partitions is stored in.
    func fileNodes(_ app: Application, round: UUID) async throws -> [String: Int] {
        struct Node: Decodable { var relname: String; var relfilenode: Int }
        let names = BallotPartitions.tables.map { BallotPartitions.partition(of: $0, round: round) }
        let rows = try await (app.db as! any SQLDatabase).raw("""
            SELECT relname::text AS relname, relfilenode::int AS relfilenode FROM pg_class WHERE relname IN (\(SQLList(names.map { SQLBind($0) })))
            """).all(decoding: Node.self)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.relname, $0.relfilenode) })
    }

    /// Another meeting's transaction reads its round's codes and ballots and stays open: the seal of the first round
    /// finishes meanwhile, the other meeting's voters are acknowledged meanwhile, and the other round's files are the
    /// same before and after. (Before partitions, the seal's `VACUUM FULL` of the whole tables waited for that
    /// transaction, and every ballot of every meeting waited behind it.)
    @Test func aSealNeitherWaitsForNorHoldsAnotherMeeting() async throws {
        guard TestDatabase.available.contains(.postgres) else { return }
        try await withApp(.postgres) { app in
            let box = try await openBox(app, present: 6)
            for code in box.codes { #expect(try await vote(app, box, code: code) == .ok) }
            let other = try await secondBox(app, box)
            let otherRound = other.opened.round.id
            #expect(try await vote(app, box, code: other.opened.codes[0].code) == .ok)
            let before = try await fileNodes(app, round: otherRound)
            let ownBefore = try await fileNodes(app, round: box.roundID)
            #expect(before.count == 3 && ownBefore.count == 3, "each round has its three partitions")

            // The other meeting's transaction, on a connection of its own.
            let side = try await sideConnection(app)
            _ = try await side.query("BEGIN", logger: app.logger)
            _ = try await side.query("SELECT count(*) FROM ballot_codes WHERE round_id = \(otherRound)", logger: app.logger)
            _ = try await side.query("SELECT count(*) FROM ballots WHERE round_id = \(otherRound)", logger: app.logger)
            // The seal, limited in time: if it waited for the other meeting, it would wait until that one ends.
            let sealed = try await withThrowingTaskGroup(of: HTTPStatus?.self) { group in
                group.addTask { try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: box.world.token(.chair)).status }
                group.addTask { try await Task.sleep(for: .seconds(20)); return nil }
                let first = try await group.next() ?? nil
                if let first { group.cancelAll(); return first }
                // Lets the stuck seal end, so the test fails instead of hanging.
                _ = try await side.query("COMMIT", logger: app.logger)
                _ = try await group.next()
                return HTTPStatus.requestTimeout
            }
            #expect(sealed == .ok, "the seal finished while another meeting's transaction was open")
            #expect(try await vote(app, box, code: other.opened.codes[1].code) == .ok,
                    "the other meeting's voter is acknowledged while its transaction is still open")
            _ = try await side.query("COMMIT", logger: app.logger)
            try await side.close()

            #expect(try await fileNodes(app, round: otherRound) == before, "the other round's files were not rewritten")
            let ownAfter = try await fileNodes(app, round: box.roundID)
            #expect(Set(ownAfter.values).isDisjoint(with: Set(ownBefore.values)), "the sealed round's rows are in new files")
            // Every ballot is still there once.
            let ballots = try await Ballot.query(on: app.db).filter(\.$roundID == box.roundID).count()
            let otherBallots = try await Ballot.query(on: app.db).filter(\.$roundID == otherRound).count()
            #expect(ballots == box.codes.count && otherBallots == 2)
        }
    }

    /// Issue 25: a gate of two lets two seals or counts run at once; a third waits for a place and then runs, in the
    /// order they came; a failed one gives its place back.
    @Test func roundClosingsTakeTurnsTwoAtATime() async throws {
        let gate = RoundClosingGate(width: 2)
        let log = Log()
        // Two hold their places until released; a third (failing) and a fourth come after them.
        let holders = (0..<2).map { k in
            Task { try await gate.run { await log.add("start \(k)"); await log.hold(k); await log.add("end \(k)") } }
        }
        while await log.entries.count < 2 { await Task.yield() }
        let failing = Task { try await gate.run { await log.add("start fail"); throw APIError.badRequest("x") } }
        while await gate.waitingCount < 1 { await Task.yield() }
        let third = Task { try await gate.run { await log.add("start 2") } }
        while await gate.waitingCount < 2 { await Task.yield() }
        let meanwhile = await log.entries
        #expect(meanwhile.count == 2, "two run at once, the others wait: \(meanwhile)")
        await log.release(0)
        _ = try await holders[0].value
        await #expect(throws: APIError.self) { try await failing.value }
        await log.release(1)
        _ = try await holders[1].value
        _ = try await third.value
        let entries = await log.entries
        #expect(entries.firstIndex(of: "start fail")! < entries.firstIndex(of: "start 2")!, "first come, first served: \(entries)")
        #expect(entries.firstIndex(of: "end 0")! < entries.firstIndex(of: "start fail")!, "\(entries)")
        #expect(await gate.waitingCount == 0)
        #expect(await gate.runningCount == 0)
    }

    /// At the route, on both databases: three meetings seal at the same moment (they take turns); every seal is
    /// answered and every round sealed, and a fourth meeting's voter is acknowledged meanwhile.
    @Test(arguments: TestDatabase.available)
    func threeMeetingsSealAtOnce(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let box = try await openBox(app, present: 3)
            let others = [try await secondBox(app, box, present: 3), try await secondBox(app, box, present: 3), try await secondBox(app, box, present: 3)]
            for round in others.prefix(2) { #expect(try await vote(app, box, code: round.opened.codes[0].code) == .ok) }
            #expect(try await vote(app, box, code: box.codes[0]) == .ok)
            let chair = box.world.token(.chair)
            async let sealFirst = call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: chair)
            async let sealSecond = call(app, .POST, "\(others[0].base)/\(others[0].opened.round.id)/seal", token: chair)
            async let sealThird = call(app, .POST, "\(others[1].base)/\(others[1].opened.round.id)/seal", token: chair)
            async let voter = vote(app, box, code: others[2].opened.codes[0].code)
            let (first, second, third, voted) = try await (sealFirst, sealSecond, sealThird, voter)
            #expect([first.status, second.status, third.status] == [.ok, .ok, .ok], "\(first.text) \(second.text) \(third.text)")
            #expect(voted == .ok)
            for round in [box.roundID, others[0].opened.round.id, others[1].opened.round.id] {
                #expect(try await BallotRound.find(round, on: app.db)?.state == .sealed)
            }
        }
    }

    /// Issue 25: a count without paper leaves its round's files as the seal rewrote them (nothing was written to the
    /// round since), so twenty meetings counting at once do not rewrite every round twice.
    @Test func aCountWithoutPaperDoesNotRewriteTheRoundAgain() async throws {
        guard TestDatabase.available.contains(.postgres) else { return }
        try await withApp(.postgres) { app in
            let box = try await openBox(app, present: 4)
            for code in box.codes.prefix(3) { #expect(try await vote(app, box, code: code) == .ok) }
            let opened = try await fileNodes(app, round: box.roundID)
            #expect(try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: box.world.token(.chair)).status == .ok)
            let sealed = try await fileNodes(app, round: box.roundID)
            #expect(Set(sealed.values).isDisjoint(with: Set(opened.values)), "the seal rewrote the round")
            let counted = try await call(app, .POST, "\(box.base)/\(box.roundID)/count", token: box.world.token(.chair))
            #expect(counted.status == .ok, "\(counted.text)")
            #expect(try await fileNodes(app, round: box.roundID) == sealed, "the count left the seal's files")
            #expect(try await Ballot.query(on: app.db).filter(\.$roundID == box.roundID).count() == 3)
        }
    }

    /// Two meetings open their rounds at the same moment: each gets its partitions, each round takes ballots.
    @Test func twoRoundsOpenedAtOnceEachGetTheirPartitions() async throws {
        guard TestDatabase.available.contains(.postgres) else { return }
        try await withApp(.postgres) { app in
            let box = try await openBox(app, present: 3)
            async let first = secondBox(app, box, present: 3)
            async let second = secondBox(app, box, present: 3)
            let rounds = try await [first, second]
            for round in rounds {
                #expect(try await fileNodes(app, round: round.opened.round.id).count == 3)
                #expect(try await vote(app, box, code: round.opened.codes[0].code) == .ok)
            }
        }
    }

    /// The migration on a database with ballots: reverted and made again, every code, ballot and receipt is kept, and
    /// a code is still found (both databases).
    @Test(arguments: TestDatabase.available)
    func theMigrationKeepsEveryRow(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let box = try await openBox(app, present: 5)
            for code in box.codes.prefix(3) { #expect(try await vote(app, box, code: code) == .ok) }
            #expect(try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: box.world.token(.chair)).status == .ok)
            func rows() async throws -> [String] {
                let sql = app.db as! any SQLDatabase
                struct Row: Decodable { var k: String }
                return try await sql.raw("""
                    SELECT code_hash || '|' || CASE WHEN used THEN 'u' ELSE '-' END AS k FROM ballot_codes
                    UNION ALL SELECT marks AS k FROM ballots UNION ALL SELECT receipt AS k FROM ballot_receipts
                    """).all(decoding: Row.self).map(\.k).sorted()
            }
            let before = try await rows()
            #expect(before.count == 5 + 3 + 3)
            try await PartitionBallotBoxByRound().revert(on: app.db)
            #expect(try await rows() == before)
            try await PartitionBallotBoxByRound().prepare(on: app.db)
            #expect(try await rows() == before)
            // A used code of the sealed round: found, and told the round is closed (not "unknown code").
            let reply = try await call(app, .POST, "api/v1/vote", json: VoteRequest(code: box.codes[4], submissionID: UUID().uuidString, marks: []))
            #expect(reply.status != .notFound, "\(reply.text)")
        }
    }

    /// Removing the demo drops its rounds' partitions (PostgreSQL): nothing of a removed meeting stays behind.
    @Test func removingTheDemoDropsItsPartitions() async throws {
        guard TestDatabase.available.contains(.postgres) else { return }
        try await withApp(.postgres) { app in
            let box = try await openBox(app, present: 3)
            #expect(try await fileNodes(app, round: box.roundID).count == 3)
            let reply = try await call(app, .DELETE, "api/v1/demo", token: box.world.token(.sysadmin))
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(try await fileNodes(app, round: box.roundID).isEmpty)
        }
    }
}

/// What ran in which order, and places held until the test releases them.
private actor Log {
    private(set) var entries: [String] = []
    private var held: [Int: CheckedContinuation<Void, Never>] = [:]
    private var released: Set<Int> = []

    func add(_ entry: String) { entries.append(entry) }

    func hold(_ k: Int) async {
        if released.contains(k) { return }
        await withCheckedContinuation { held[k] = $0 }
    }

    func release(_ k: Int) {
        released.insert(k)
        held.removeValue(forKey: k)?.resume()
    }
}
