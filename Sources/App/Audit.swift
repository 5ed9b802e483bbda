import Crypto
import Fluent
import Foundation
import PingyiCore
import SQLKit

/// Writes one audit entry (操作日志) in the caller's transaction, chained to the one before.
///
/// The head row is updated first: on PostgreSQL that locks it until commit, on SQLite it takes the write lock, so two
/// writers (on any number of app instances) can never both chain to the same entry.
func recordAudit(
    on db: any Database, actor: Actor, campaignID: UUID?, action: String, summary: String,
    before: (any Encodable)? = nil, after: (any Encodable)? = nil
) async throws {
    let entry = AuditEntry(
        campaignID: campaignID, actorID: actor.id, actorName: "\(actor.user.displayName)（\(actor.user.username)）",
        action: action, summary: summary, before: before.map(auditJSON), after: after.map(auditJSON),
        createdAt: Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded() / 1000))
    entry.id = UUID()
    try await appendToChain(entry, on: db)
}

func appendToChain(_ entry: AuditEntry, on db: any Database) async throws {
    try await db.writeTransaction { db in
        let sql = db as! any SQLDatabase
        guard let head = try await sql.raw("""
            UPDATE "audit_head" SET "seq" = "seq" + 1 WHERE "id" = 1 RETURNING "seq", "hash"
            """).first(decoding: AuditHead.self) else { throw APIError(.internalServerError, "internal", "审计链头缺失") }
        entry.seq = head.seq
        entry.previousHash = head.hash
        let hash = AuditChain.hash(seq: head.seq, previous: head.hash, content: entry.canonicalContent, using: sha256Hex)
        entry.hash = hash
        try await entry.create(on: db)
        try await sql.raw("UPDATE \"audit_head\" SET \"hash\" = \(bind: hash) WHERE \"id\" = 1").run()
    }
}

/// SHA-256 of UTF-8 text, lowercase hex (hashes of codes, tokens, files and the audit chain).
@Sendable
func sha256Hex(_ text: String) -> String { sha256Hex(Data(text.utf8)) }

func sha256Hex(_ data: Data) -> String {
    lowercaseHex(SHA256.hash(data: data))
}

/// Bytes as lowercase hexadecimal, two digits each (`String(format:)` per byte was 4 % of an instance's time at 250
/// ballots a second, issue 25).
func lowercaseHex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(64)
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// The chain's state: how many entries, the head, and what is wrong (empty when intact).
struct AuditChainReport: Sendable {
    var entries: Int
    var headSeq: Int
    var headHash: String
    var problems: [AuditChainProblem]
}

/// `pingyi audit verify`: recomputes every link from the stored entries.
func verifyAuditChain(on db: any Database) async throws -> AuditChainReport {
    let head = try await auditHead(on: db)
    let entries = try await AuditEntry.query(on: db).sort(\.$seq).all()
    let links = entries.map { entry in
        AuditLink(seq: entry.seq ?? 0, previousHash: entry.previousHash ?? "", hash: entry.hash ?? "", content: entry.canonicalContent)
    }
    return AuditChainReport(entries: entries.count, headSeq: head.seq, headHash: head.hash,
                            problems: AuditChain.verify(links, headSeq: head.seq, headHash: head.hash, using: sha256Hex))
}

/// The current head (the genesis hash before the first entry); shown on public notices.
func auditHead(on db: any Database) async throws -> AuditHead {
    try await (db as! any SQLDatabase).raw("SELECT \"seq\", \"hash\" FROM \"audit_head\" WHERE \"id\" = 1")
        .first(decoding: AuditHead.self) ?? AuditHead(seq: 0, hash: AuditChain.genesis)
}

/// The `audit_head` row: the last entry's place and hash.
struct AuditHead: Decodable {
    var seq: Int
    var hash: String
}

/// Stable JSON (sorted keys) so that before/after compare line by line.
func auditJSON(_ value: any Encodable) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
}
