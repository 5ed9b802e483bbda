import Foundation
import NIOCore
import Vapor

/// Something that shows the live state: a WebSocket in the app.
protocol LiveScreen: AnyObject, Sendable {
    var isClosed: Bool { get }
    func send(_ text: String)
}

extension WebSocket: LiveScreen {
    func send(_ text: String) { send(text, promise: nil) }
}

/// The WebSocket connections watching each campaign's meeting (projector, console, check-in screens).
/// Messages are whole state snapshots, so a missed one is repaired by the next, and a reconnect needs nothing else.
actor LiveHub {
    private var channels: [UUID: [UUID: any LiveScreen]] = [:]
    /// A test's own wait instead of the clock, so that what it checks does not depend on the machine's speed.
    private nonisolated let gate: (@Sendable () async -> Void)?

    /// How long a snapshot serves burst reads: nil for `LiveSnapshot.longestReuse(_:)`'s own; a test on a loaded
    /// machine sets more.
    nonisolated let snapshotReuse: Duration?

    init(gatherChanges gate: (@Sendable () async -> Void)? = nil, snapshotReuse: Duration? = nil) {
        self.gate = gate
        self.snapshotReuse = snapshotReuse
    }

    /// Campaigns' burst reads an instance makes at most a second (issue 25: a hundred meetings each read four times a
    /// second kept two cores busy with screens nobody can read that fast). The campaigns of a period are read together.
    static let burstReadsPerSecond = 100

    /// The shortest wait before a burst read, and the wait before other instances are told of a burst.
    static let quarterSecond = Duration.milliseconds(250)

    /// How long burst changes (ballots, check-ins) are gathered into one read of all the campaigns they touched: a
    /// quarter second, longer when this instance watches more campaigns than `burstReadsPerSecond` allows at that pace.
    static func gatherPeriod(watchedCampaigns: Int) -> Duration {
        max(quarterSecond, .milliseconds(1000 * watchedCampaigns / burstReadsPerSecond))
    }

    /// The wait before a burst read of a campaign's live state (`gatherPeriod`).
    func gatherChanges() async {
        if let gate { return await gate() }
        try? await Task.sleep(for: currentGatherPeriod())
    }

    func currentGatherPeriod() -> Duration { Self.gatherPeriod(watchedCampaigns: channels.count) }

    /// The wait before other instances are told of burst changes: a quarter second (a notice costs little; each
    /// instance budgets its own reads).
    nonisolated func gatherAnnouncements() async {
        if let gate { return await gate() }
        try? await Task.sleep(for: Self.quarterSecond)
    }

    func add(_ socket: any LiveScreen, to campaignID: UUID) -> UUID {
        let id = UUID()
        channels[campaignID, default: [:]][id] = socket
        return id
    }

    func remove(_ id: UUID, from campaignID: UUID) {
        channels[campaignID]?[id] = nil
        if channels[campaignID]?.isEmpty == true {
            channels[campaignID] = nil
            snapshots[campaignID] = nil
        }
    }

    private var snapshots: [UUID: LiveSnapshot] = [:]

    /// The last whole read of a watched campaign's live state, for burst reads to re-read only its counts.
    func snapshot(of campaignID: UUID) -> LiveSnapshot? { snapshots[campaignID] }

    func snapshots(of campaignIDs: [UUID]) -> [UUID: LiveSnapshot] {
        campaignIDs.reduce(into: [:]) { found, id in found[id] = snapshots[id] }
    }

    func keep(_ snapshot: LiveSnapshot, of campaignID: UUID) {
        guard channels[campaignID]?.isEmpty == false else { return }
        snapshots[campaignID] = snapshot
    }

    private var bursts: Set<UUID> = []
    private var burstScheduled = false

    /// Notes a burst change of a watched campaign for the instance's next burst read. True for the first of a period:
    /// the caller then waits `gatherChanges()` and reads every campaign noted meanwhile at once (`takeBursts()`).
    func noteBurst(_ campaignID: UUID) -> Bool {
        guard channels[campaignID]?.isEmpty == false else { return false }
        bursts.insert(campaignID)
        guard !burstScheduled else { return false }
        burstScheduled = true
        return true
    }

    /// The campaigns noted since the last call; the next note starts a period.
    func takeBursts() -> [UUID] {
        defer { bursts = []; burstScheduled = false }
        return Array(bursts)
    }

    private var announcing: [UUID] = []
    private var announced: Set<UUID> = []

    /// Notes a burst change to tell other instances of (whose screens this one does not know of). True for the first of
    /// a period: the caller then waits `gatherAnnouncements()` and sends all noted campaigns at once
    /// (`takeAnnouncements()`), one notice for the whole instance instead of one per campaign.
    func noteAnnouncement(_ campaignID: UUID) -> Bool {
        guard announced.insert(campaignID).inserted else { return false }
        announcing.append(campaignID)
        return announcing.count == 1
    }

    /// The campaigns noted since the last call, in the order they were first noted; the next note starts a period.
    func takeAnnouncements() -> [UUID] {
        defer { announcing = []; announced = [] }
        return announcing
    }

    private var refreshing: Set<UUID> = []
    private var refreshAgain: Set<UUID> = []

    /// True when the caller should read and send the state now; false when nobody here watches, or a read is under way
    /// (which will then run once more).
    func beginRefresh(_ campaignID: UUID) -> Bool {
        guard channels[campaignID]?.isEmpty == false else { return false }
        guard !refreshing.contains(campaignID) else { refreshAgain.insert(campaignID); return false }
        refreshing.insert(campaignID)
        return true
    }

    /// True when another change came during the read, so the caller reads once more.
    func endRefresh(_ campaignID: UUID) -> Bool {
        if refreshAgain.remove(campaignID) != nil { return true }
        refreshing.remove(campaignID)
        return false
    }

    func watchedCampaigns() -> [UUID] { Array(channels.keys) }

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
        get {
            if let hub = storage[LiveHubKey.self] { return hub }
            let hub = LiveHub()
            storage[LiveHubKey.self] = hub
            return hub
        }
        set { storage[LiveHubKey.self] = newValue }
    }
}
