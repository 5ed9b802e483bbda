import Foundation
import NIOCore
import Vapor

/// The WebSocket connections watching each campaign's meeting (projector, console, check-in screens).
/// Messages are whole state snapshots, so a missed one is repaired by the next, and a reconnect needs nothing else.
actor LiveHub {
    private var channels: [UUID: [UUID: WebSocket]] = [:]

    func add(_ socket: WebSocket, to campaignID: UUID) -> UUID {
        let id = UUID()
        channels[campaignID, default: [:]][id] = socket
        return id
    }

    func remove(_ id: UUID, from campaignID: UUID) {
        channels[campaignID]?[id] = nil
        if channels[campaignID]?.isEmpty == true { channels[campaignID] = nil }
    }

    private var pending: Set<UUID> = []

    /// Claims the right to send the next coalesced update for a campaign: true for the first caller, false for those
    /// that come while one is already scheduled (their change will be in that update).
    func claimCoalesced(_ campaignID: UUID) -> Bool {
        guard channels[campaignID]?.isEmpty == false else { return false }
        return pending.insert(campaignID).inserted
    }

    func releaseCoalesced(_ campaignID: UUID) { pending.remove(campaignID) }

    func broadcast(_ text: String, to campaignID: UUID) {
        for socket in channels[campaignID]?.values ?? [:].values where !socket.isClosed {
            socket.send(text)
        }
    }
}

extension Application {
    private struct LiveHubKey: StorageKey {
        typealias Value = LiveHub
    }

    var liveHub: LiveHub {
        if let hub = storage[LiveHubKey.self] { return hub }
        let hub = LiveHub()
        storage[LiveHubKey.self] = hub
        return hub
    }
}
