import Fluent
import Foundation
import PingyiCore
import SQLKit

/// 操作日志哈希链: each entry gets its place (`seq`), the previous entry's hash and its own; `audit_head` keeps the last
/// seq and hash apart from the entries (so removing the newest entries shows too). Entries already there are chained
/// in the order they were written.
struct AddAuditChain: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        try await database.schema(AuditEntry.schema).field("seq", .int).update()
        try await database.schema(AuditEntry.schema).field("prev_hash", .string).update()
        try await database.schema(AuditEntry.schema).field("hash", .string).update()
        try await database.schema("audit_head")
            .field("id", .int, .identifier(auto: false))
            .field("seq", .int, .required)
            .field("hash", .string, .required)
            .create()
        var previous = AuditChain.genesis
        var seq = 0
        for entry in try await AuditEntry.query(on: database).sort(\.$createdAt).sort(\.$id).all() {
            seq += 1
            entry.seq = seq
            entry.previousHash = previous
            entry.hash = AuditChain.hash(seq: seq, previous: previous, content: entry.canonicalContent, using: sha256Hex)
            previous = entry.hash!
            try await entry.save(on: database)
        }
        let sql = database as! any SQLDatabase
        try await sql.raw("INSERT INTO \"audit_head\" (\"id\", \"seq\", \"hash\") VALUES (1, \(bind: seq), \(bind: previous))").run()
        try await sql.create(index: "audit_entries_seq").on(AuditEntry.schema).column("seq").unique().run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.drop(index: "audit_entries_seq").run()
        try await database.schema("audit_head").delete()
        try await database.schema(AuditEntry.schema).deleteField("hash").update()
        try await database.schema(AuditEntry.schema).deleteField("prev_hash").update()
        try await database.schema(AuditEntry.schema).deleteField("seq").update()
    }
}
