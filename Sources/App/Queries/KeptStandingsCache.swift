import Foundation
import NIOConcurrencyHelpers
import PingyiCore

/// Kept standings decoded once per process. Decoding every campaign's standings was most of the overview's time
/// (issue 25); a round's standings never change once the count keeps them, and each entry is checked against the
/// stored text, so a restored or rewritten database is never answered from an old copy.
final class KeptStandingsCache: Sendable {
    static let shared = KeptStandingsCache()
    /// Rounds kept at most (a district's ten years are about a thousand); past it the cache starts afresh.
    static let limit = 10_000
    private let entries = NIOLockedValueBox<[UUID: (text: String, results: [ReporteeResult])]>([:])

    /// The round's kept standings as results, decoded from `text` unless this very text was decoded before.
    func results(of round: UUID, text: String, decoder: JSONDecoder) throws -> [ReporteeResult] {
        if let hit = entries.withLockedValue({ $0[round] }), hit.text == text { return hit.results }
        let results = try CountedStandings.decode(text, decoder: decoder)
        entries.withLockedValue { entries in
            if entries.count >= Self.limit { entries.removeAll() }
            entries[round] = (text, results)
        }
        return results
    }

    /// Forgets every decoded round (the overview benchmark times the overview with nothing decoded too).
    func removeAll() {
        entries.withLockedValue { $0.removeAll() }
    }
}
