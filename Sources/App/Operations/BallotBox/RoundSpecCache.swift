import Fluent
import PingyiCore
import Vapor

/// Each round's ballot encoder, built once: a round's layout is frozen while it exists.
actor RoundSpecCache {
    private var cache: [UUID: BallotEncoder] = [:]

    func encoder(roundID: UUID, on db: any Database) async throws -> BallotEncoder {
        if let hit = cache[roundID] { return hit }
        guard let round = try await BallotRound.find(roundID, on: db) else { throw APIError.notFound("投票轮次") }
        let encoder = BallotEncoder(layout: round.layout)
        if cache.count > 1000 { cache.removeAll() }
        cache[roundID] = encoder
        return encoder
    }
}

extension Application {
    private struct RoundSpecKey: StorageKey {
        typealias Value = RoundSpecCache
    }

    var roundSpecs: RoundSpecCache {
        if let cache = storage[RoundSpecKey.self] { return cache }
        let cache = RoundSpecCache()
        storage[RoundSpecKey.self] = cache
        return cache
    }
}
