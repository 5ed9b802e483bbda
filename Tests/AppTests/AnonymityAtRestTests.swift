@testable import App
import Fluent
import Foundation
import PingyiCore
import SQLKit
import Testing
import Vapor

/// Finding 6: after the seal, neither the live database nor a copy of its files orders or groups a ballot with its
/// code, its receipt or its arrival.
@Suite("Anonymity at rest after the seal")
struct AnonymityAtRestTests: BallotBoxHelpers {
    /// Ballot `i`'s marks: the first form of the first secretary spells `i` in base 4, everything else 较好.
    func ballot(_ i: Int, _ check: VoteCheckDTO) -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        for reportee in check.reportees {
            for form in check.forms { result[reportee.id.uuidString, default: [:]][form.id] = String(repeating: "2", count: form.columns.count) }
        }
        let width = check.forms[0].columns.count
        var digits = "", n = i
        for _ in 0..<width { digits = String(n % 4 + 1) + digits; n /= 4 }
        result[check.reportees[0].id.uuidString]![check.forms[0].id] = digits
        return result
    }

    /// Votes with every code, in an order opposite to the ballots' content order; returns "rater group|marks" of each.
    func voteInReverse(_ app: Application, _ box: Box) async throws -> [String] {
        let check = try await spec(app, box, code: box.codes[0])
        for (i, code) in box.codes.enumerated().reversed() {
            let reply = try await call(app, .POST, "api/v1/vote", json: VoteRequest(code: code, submissionID: UUID().uuidString, ballot: ballot(i, check)))
            #expect(reply.status == .ok, "\(reply.text)")
        }
        return try await Ballot.query(on: app.db).all().map { $0.raterGroupID.uuidString + "|" + $0.marks }
    }

    @Test func sqliteFilesKeepNoArrivalOrderAndNoWriteAheadLog() async throws {
        try await withSQLiteFile { app, path in
            let box = try await openBox(app, present: 12)
            let stored = try await voteInReverse(app, box)
            #expect(stored.count == 12)
            let wal = path + "-wal"
            // the attack this defends against: before the seal the log holds each vote's commit, in arrival order
            #expect(((try? FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int) ?? 0) > 0)
            let sealed = try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: box.world.token(.chair))
            #expect(sealed.status == .ok, "\(sealed.text)")
            #expect(((try? FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int) ?? 0) == 0, "the write-ahead log is empty")
            let file = try Data(contentsOf: URL(fileURLWithPath: path))
            struct PageSize: Decodable { var page_size: Int }
            let pageSize = try await (app.db as! any SQLDatabase).raw("PRAGMA page_size").first(decoding: PageSize.self)!.page_size
            var places: [(marks: String, offset: Int)] = []
            for key in stored {
                let marks = String(key.split(separator: "|")[1])
                let hits = file.ranges(of: Data(marks.utf8))
                #expect(hits.count == 1, "a ballot stands once in the file, no stale copy: \(hits.count)")
                if let hit = hits.first { places.append((key, hit.lowerBound)) }
            }
            // within each page, cells lie in the order they were written: that order is now the content's, not arrival's
            for (_, cells) in Dictionary(grouping: places, by: { $0.offset / pageSize }) {
                let written = cells.sorted { $0.offset > $1.offset }.map(\.marks)
                #expect(written == written.sorted(), "cells of a page in content order (rater group, marks)")
            }
            let receipts = try await BallotReceipt.query(on: app.db).all().compactMap(\.id)
            for receipt in receipts { #expect(file.ranges(of: Data(receipt.utf8)).count == 1) }
        }
    }

    @Test func postgresRowsShareOneTransactionAndAContentOrder() async throws {
        guard TestDatabase.available.contains(.postgres) else { return }
        try await withApp(.postgres) { app in
            let box = try await openBox(app, present: 12)
            _ = try await voteInReverse(app, box)
            let sql = app.db as! any SQLDatabase
            struct XMin: Decodable { var x: String }
            let round = box.roundID
            let before = try await sql.raw("""
                SELECT DISTINCT xmin::text AS x FROM ballots WHERE round_id = \(bind: round)
                """).all(decoding: XMin.self)
            #expect(before.count == 12, "the attack: each vote's own transaction")
            #expect(try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: box.world.token(.chair)).status == .ok)
            let after = try await sql.raw("""
                SELECT xmin::text AS x FROM ballots WHERE round_id = \(bind: round)
                UNION SELECT xmin::text FROM ballot_codes WHERE round_id = \(bind: round)
                UNION SELECT xmin::text FROM ballot_receipts WHERE round_id = \(bind: round)
                """).all(decoding: XMin.self)
            #expect(after.count == 1, "codes, ballots and receipts of the round share one transaction id: \(after.count)")
            struct Row: Decodable { var rater_group_id: UUID; var marks: String }
            let heap = try await sql.raw("""
                SELECT rater_group_id, marks FROM ballots WHERE round_id = \(bind: round) ORDER BY ctid
                """).all(decoding: Row.self)
            let key = { (r: Row) in r.rater_group_id.uuidString + "|" + r.marks }
            #expect(heap.map(key) == heap.map(key).sorted(), "the heap follows content, not arrival")
            struct Dead: Decodable { var n: Int }
            // the rewrite kept every ballot
            let dead = try await sql.raw("SELECT count(*)::int AS n FROM ballots WHERE round_id = \(bind: round)").first(decoding: Dead.self)
            #expect(dead?.n == 12)
        }
    }

    /// What the seal's rewrite keeps and what it changes, read back through the models on both databases (SQLite does it
    /// in SQL, PostgreSQL in partitions): every code, ballot and receipt is still there with the same content, each ballot
    /// under a fresh id, and the ids ascend along the content order, so they say nothing of arrival.
    @Test(arguments: TestDatabase.available)
    func theSealKeepsEveryRowUnderFreshIdsInContentOrder(_ database: TestDatabase) async throws {
        try await withApp(database) { app in
            let box = try await openBox(app, present: 9)
            _ = try await voteInReverse(app, box)
            let ballots = try await Ballot.query(on: app.db).all()
            let codes = try await BallotCode.query(on: app.db).all().map { "\($0.id!)|\($0.codeHash)|\($0.used)" }.sorted()
            let receipts = try await BallotReceipt.query(on: app.db).all().compactMap(\.id).sorted()
            #expect(ballots.count == 9 && receipts.count == 9)
            let sealed = try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: box.world.token(.chair))
            #expect(sealed.status == .ok, "\(sealed.text)")

            let after = try await Ballot.query(on: app.db).all()
            let content = { (b: Ballot) in "\(b.raterGroupID.uuidString)|\(b.medium)|\(b.isVoid)|\(b.marks)" }
            #expect(after.map(content).sorted() == ballots.map(content).sorted(), "every ballot kept, content unchanged")
            #expect(Set(after.compactMap(\.id)).isDisjoint(with: ballots.compactMap(\.id)), "every ballot under a fresh id")
            let byID = after.sorted { $0.id!.uuidString < $1.id!.uuidString }.map(content)
            #expect(byID == byID.sorted(), "ids ascend along the content order")
            #expect(try await BallotCode.query(on: app.db).all().map { "\($0.id!)|\($0.codeHash)|\($0.used)" }.sorted() == codes)
            #expect(try await BallotReceipt.query(on: app.db).all().compactMap(\.id).sorted() == receipts)
        }
    }

    /// The seal's rewrite under a snapshot older than the seal (a report being read, a backup, another meeting's
    /// transaction): the ballots' arrival-order versions, under the ids they had before the seal, must not be copied
    /// into the new files for it.
    @Test func postgresSealKeepsNoDeadVersionForAnOlderSnapshot() async throws {
        guard TestDatabase.available.contains(.postgres) else { return }
        try await withApp(.postgres) { app in
            guard let pg = try await PostgresFiles(app.db) else { return }
            let box = try await openBox(app, present: 6)
            _ = try await voteInReverse(app, box)
            let before = try await Ballot.query(on: app.db).all().compactMap(\.id)
            #expect(before.count == 6)
            let arrival = try await pg.files(Ballot.schema)
            #expect(before.allSatisfy { id in arrival.contains { !$0.ranges(of: uuidBytes(id)).isEmpty } }, "the test sees the ids it looks for")
            let sealed = try await withOlderSnapshot(app) {
                try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: box.world.token(.chair))
            }
            #expect(sealed.status == .ok, "\(sealed.text)")
            let after = try await pg.files(Ballot.schema)
            let left = before.filter { id in after.contains { !$0.ranges(of: uuidBytes(id)).isEmpty } }
            #expect(left.isEmpty, "ballot versions from before the seal still in the files: \(left.count)")
        }
    }
}
