import Fluent
import Foundation

/// Writes one audit entry (操作日志) in the caller's transaction.
func recordAudit(
    on db: any Database, actor: Actor, campaignID: UUID?, action: String, summary: String,
    before: (any Encodable)? = nil, after: (any Encodable)? = nil
) async throws {
    try await AuditEntry(
        campaignID: campaignID, actorID: actor.id, actorName: "\(actor.user.displayName)（\(actor.user.username)）",
        action: action, summary: summary, before: before.map(auditJSON), after: after.map(auditJSON)
    ).save(on: db)
}

/// Stable JSON (sorted keys) so that before/after compare line by line.
func auditJSON(_ value: any Encodable) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
}
