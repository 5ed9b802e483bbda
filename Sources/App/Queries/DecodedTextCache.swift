import Foundation
import NIOConcurrencyHelpers
import PingyiCore

/// Values decoded once per process from JSON text kept in the database, by the row they belong to. Decoding a
/// thousand campaigns' kept standings and rules was most of the overview's time (issue 25); each entry is checked
/// against the stored text, so a changed row, a restored or rewritten database is never answered from an old copy.
final class DecodedTextCache<Value: Sendable>: Sendable {
    /// Rows kept at most (a district's ten years are about a thousand campaigns); past it the cache starts afresh.
    static var limit: Int { 10_000 }
    private let entries = NIOLockedValueBox<[UUID: (text: String, value: Value)]>([:])

    /// The row's value, decoded from `text` unless this very text was decoded before.
    func value(of row: UUID, text: String, decode: (String) throws -> Value) rethrows -> Value {
        if let hit = entries.withLockedValue({ $0[row] }), hit.text == text { return hit.value }
        let value = try decode(text)
        entries.withLockedValue { entries in
            if entries.count >= Self.limit { entries.removeAll() }
            entries[row] = (text, value)
        }
        return value
    }

    /// Forgets every decoded row (the overview benchmark times the overview with nothing decoded too).
    func removeAll() {
        entries.withLockedValue { $0.removeAll() }
    }
}

/// The process's decoded copies of kept text.
enum DecodedTexts {
    /// A counted round's kept standings (`round_standings`), by round.
    static let standings = DecodedTextCache<[ReporteeResult]>()
    /// A campaign's grading and assessment rules, by campaign (the overview grades every campaign with them).
    static let campaignRules = DecodedTextCache<CampaignGrading>()

    static func removeAll() {
        standings.removeAll()
        campaignRules.removeAll()
    }
}

/// What the overview grades a campaign's results with: its 评议等次 rules and its 考核规则.
struct CampaignGrading: Sendable {
    var grading: GradingRules
    var assessment: AssessmentRules
}
