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
