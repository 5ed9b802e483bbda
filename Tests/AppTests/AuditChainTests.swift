@testable import App
import Fluent
import Foundation
import PingyiCore
import SQLKit
import Testing
import Vapor

@Suite("Hash-chained audit log")
struct AuditLogChainTests {
    /// The chain's digests are lowercase hexadecimal SHA-256 (FIPS 180-2 test vectors), as before the faster formatting.
    @Test func digestsAreLowercaseHexSHA256() {
        #expect(sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(lowercaseHex([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
    }

    /// Some audited changes, several of them at once.
    func changes(_ app: Application, _ world: World, count: Int) async throws {
        try await withThrowingTaskGroup(of: Reply.self) { group in
            for i in 0..<count {
                group.addTask {
                    try await call(app, .PATCH, "api/v1/campaigns/\(world.campaignID)", token: world.token(i % 2 == 0 ? .districtAdmin : .sysadmin),
                                   json: ["title": "改名 \(i)"])
                }
            }
            for try await reply in group { #expect(reply.status == .ok, "\(reply.text)") }
        }
    }

    @Test(arguments: TestDatabase.available)
    func concurrentWritersKeepOneUnbrokenChain(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            try await changes(app, world, count: 24)
            let report = try await verifyAuditChain(on: app.db)
            #expect(report.problems.isEmpty, "\(report.problems)")
            #expect(report.entries >= 24 && report.headSeq == report.entries)
            let seqs = try await AuditEntry.query(on: app.db).sort(\.$seq).all().compactMap(\.seq)
            #expect(seqs == Array(1...report.entries))
        }
    }

    @Test(arguments: TestDatabase.available)
    func anEditADeletionAndAReorderingAreEachFound(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            try await changes(app, world, count: 6)
            let sql = app.db as! any SQLDatabase
            #expect(try await verifyAuditChain(on: app.db).problems.isEmpty)
            // Edited: someone softens a summary.
            try await sql.raw("UPDATE audit_entries SET summary = 'nothing happened' WHERE seq = 3").run()
            #expect(try await verifyAuditChain(on: app.db).problems == [.edited(seq: 3)])
            try await sql.raw("UPDATE audit_entries SET seq = seq + 100 WHERE seq = 3").run()
            // Deleted (the edited one, moved out of the way, then removed).
            try await sql.raw("DELETE FROM audit_entries WHERE seq = 103").run()
            #expect(try await verifyAuditChain(on: app.db).problems == [.missing(after: 2, before: 4), .brokenLink(seq: 4)])
            // The newest entries removed: the head says so.
            let head = try await verifyAuditChain(on: app.db).headSeq
            try await sql.raw("DELETE FROM audit_entries WHERE seq = \(bind: head)").run()
            #expect(try await verifyAuditChain(on: app.db).problems.contains(.headMismatch(expectedSeq: head, foundSeq: head - 1)))
        }
    }

    @Test func twoEntriesSwappedBreakTheirLinks() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            try await changes(app, world, count: 4)
            let sql = app.db as! any SQLDatabase
            try await sql.raw("UPDATE audit_entries SET seq = -1 WHERE seq = 2").run()
            try await sql.raw("UPDATE audit_entries SET seq = 2 WHERE seq = 3").run()
            try await sql.raw("UPDATE audit_entries SET seq = 3 WHERE seq = -1").run()
            let problems = try await verifyAuditChain(on: app.db).problems
            #expect(problems.contains(.brokenLink(seq: 2)) && problems.contains(.brokenLink(seq: 4)))
        }
    }
}
