import FluentPostgresDriver
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Live screens across app instances (several `pingyi serve` on one PostgreSQL): each instance tells the others which
/// campaign changed with `NOTIFY pingyi_live`, and listens on a connection of its own; on a change from elsewhere it
/// re-reads the state from the database and sends it to its own screens. Only ids travel, never state: whatever an
/// instance shows it has read itself, after the other's commit.
final class LiveRelay: LifecycleHandler, Sendable {
    static let channel = "pingyi_live"
    let instanceID = UUID()
    private let configuration: PostgresConnection.Configuration
    private let listener = NIOLockedValueBox<Task<Void, Never>?>(nil)
    /// Set once the LISTEN is in place (tests wait for it).
    let listening = NIOLockedValueBox(false)

    init(configuration: PostgresConnection.Configuration) {
        self.configuration = configuration
    }

    func didBootAsync(_ app: Application) async throws {
        listener.withLockedValue { $0 = Task { await self.listen(app) } }
    }

    func shutdownAsync(_ app: Application) async {
        let task = listener.withLockedValue { task in defer { task = nil }; return task }
        task?.cancel()
        await task?.value
    }

    /// Tells the other instances that this campaign's live state changed (after the change has committed); `soon` for
    /// a burst change (ballots, check-ins), which they fold into their next coalesced read.
    func announce(_ campaignID: UUID, soon: Bool = false, on db: any Database) async {
        await announce([campaignID], soon: soon, on: db)
    }

    /// One statement for many campaigns' changes (issue 25: a notice per campaign each quarter second was 400
    /// statements a second per instance at a hundred meetings, on the pool the ballots use).
    func announce(_ campaigns: [UUID], soon: Bool, on db: any Database) async {
        guard let sql = db as? any SQLDatabase, !campaigns.isEmpty else { return }
        do {
            let notices = Self.payloads(instance: instanceID, campaigns: campaigns, soon: soon)
                .map { SQLFunction("pg_notify", args: SQLBind(Self.channel), SQLBind($0)) }
            try await sql.raw("SELECT \(SQLList(notices))").run()
        } catch {
            // Screens elsewhere catch up with the next change or the next reconnect; the change itself has committed.
            db.logger.warning("live relay: NOTIFY failed: \(describeDatabaseError(error))")
        }
    }

    /// Campaign ids a notice carries at most: PostgreSQL's payload limit is 8,000 bytes, an id with its comma 37.
    static let campaignsPerNotice = 200

    /// `<instance> <campaign>[,<campaign>…][ soon]`, as many notices as the ids need.
    static func payloads(instance: UUID, campaigns: [UUID], soon: Bool = false) -> [String] {
        stride(from: 0, to: campaigns.count, by: campaignsPerNotice).map { start in
            let ids = campaigns[start..<min(start + campaignsPerNotice, campaigns.count)].map(\.uuidString).joined(separator: ",")
            return "\(instance.uuidString) \(ids)" + (soon ? " soon" : "")
        }
    }

    static func payload(instance: UUID, campaign: UUID, soon: Bool = false) -> String {
        payloads(instance: instance, campaigns: [campaign], soon: soon)[0]
    }

    /// The campaigns of a notification from another instance, and whether they may wait for the next coalesced read;
    /// nil for this instance's own and for anything malformed.
    static func change(inPayload payload: String, otherThan instance: UUID) -> (campaigns: [UUID], soon: Bool)? {
        let parts = payload.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2 || (parts.count == 3 && parts[2] == "soon"),
              let from = UUID(uuidString: String(parts[0])), from != instance else { return nil }
        let ids = parts[1].split(separator: ",", omittingEmptySubsequences: false)
        guard ids.count <= campaignsPerNotice else { return nil }
        let campaigns = ids.compactMap { UUID(uuidString: String($0)) }
        guard campaigns.count == ids.count else { return nil }
        return (campaigns, parts.count == 3)
    }

    private func listen(_ app: Application) async {
        var attempt = 0
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: app.logger)
                do {
                    try await connection.listen(on: Self.channel) { notifications in
                        listening.withLockedValue { $0 = true }
                        attempt = 0
                        // Whatever changed while this instance was not listening.
                        for campaignID in await app.liveHub.watchedCampaigns() { await LiveScreens.readAndSend(campaignID, app: app) }
                        for try await notification in notifications {
                            guard let change = Self.change(inPayload: notification.payload, otherThan: instanceID) else { continue }
                            for campaign in change.campaigns {
                                if change.soon {
                                    await LiveScreens.readSoon(campaign, app: app)
                                } else {
                                    await LiveScreens.readAndSend(campaign, app: app)
                                }
                            }
                        }
                    }
                } catch {
                    if !Task.isCancelled { app.logger.warning("live relay: listening stopped: \(describeDatabaseError(error))") }
                }
                listening.withLockedValue { $0 = false }
                try? await connection.close()
            } catch {
                if !Task.isCancelled { app.logger.warning("live relay: cannot connect: \(describeDatabaseError(error))") }
            }
            attempt += 1
            try? await Task.sleep(for: .milliseconds(min(5_000, 200 * attempt)))
        }
    }
}

extension Application {
    private struct LiveRelayKey: StorageKey {
        typealias Value = LiveRelay
    }

    /// Present on PostgreSQL outside tests.
    var liveRelay: LiveRelay? {
        get { storage[LiveRelayKey.self] }
        set { storage[LiveRelayKey.self] = newValue }
    }
}
