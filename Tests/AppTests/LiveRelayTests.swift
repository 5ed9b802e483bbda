@testable import App
import FluentPostgresDriver
import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor

@Suite("Live relay between instances")
struct LiveRelayTests: BallotBoxHelpers {
    @Test func aNotificationNamesTheCampaignOfAnotherInstanceOnly() {
        // Setup
        let me = UUID(), other = UUID(), campaign = UUID()
        // Call
        let fromOther = LiveRelay.change(inPayload: LiveRelay.payload(instance: other, campaign: campaign), otherThan: me)
        let burst = LiveRelay.change(inPayload: LiveRelay.payload(instance: other, campaign: campaign, soon: true), otherThan: me)
        let fromMe = LiveRelay.change(inPayload: LiveRelay.payload(instance: me, campaign: campaign, soon: true), otherThan: me)
        // Check
        #expect(fromOther?.campaigns == [campaign] && fromOther?.soon == false)
        #expect(burst?.campaigns == [campaign] && burst?.soon == true)
        #expect(fromMe == nil)
        for junk in ["", "x", "\(other.uuidString)", "\(other.uuidString) not-a-uuid", "a b c", "\(other.uuidString) \(campaign.uuidString) x",
                     "\(other.uuidString) \(campaign.uuidString) soon x", "\(other.uuidString)  \(campaign.uuidString)",
                     "\(other.uuidString) \(campaign.uuidString),", "\(other.uuidString) ,\(campaign.uuidString)",
                     "\(other.uuidString) \(campaign.uuidString),,\(campaign.uuidString)", "\(other.uuidString) \(campaign.uuidString),x soon",
                     "\(other.uuidString) " + Array(repeating: campaign.uuidString, count: 201).joined(separator: ",")] {
            #expect(LiveRelay.change(inPayload: junk, otherThan: me) == nil, "\(junk.prefix(120))")
        }
    }

    /// Issue 25: many campaigns' burst changes go out in one notice each quarter second, not one per campaign; the
    /// notices stay under PostgreSQL's 8,000-byte payload limit and carry every id once.
    @Test func burstNoticesOfManyCampaignsTravelTogether() async {
        let me = UUID(), other = UUID()
        let campaigns = (0..<450).map { _ in UUID() }
        let payloads = LiveRelay.payloads(instance: me, campaigns: campaigns, soon: true)
        #expect(payloads.count == 3)
        #expect(payloads.allSatisfy { $0.utf8.count < 8000 })
        let read = payloads.compactMap { LiveRelay.change(inPayload: $0, otherThan: other) }
        #expect(read.count == 3 && read.allSatisfy(\.soon))
        #expect(read.flatMap(\.campaigns) == campaigns)

        // The hub: the first note of a period asks for a notice; the rest join it; taking them starts a new period.
        let hub = LiveHub()
        #expect(await hub.noteAnnouncement(campaigns[0]))
        #expect(await hub.noteAnnouncement(campaigns[1]) == false)
        #expect(await hub.noteAnnouncement(campaigns[0]) == false)
        #expect(await hub.takeAnnouncements() == [campaigns[0], campaigns[1]])
        #expect(await hub.takeAnnouncements().isEmpty)
        #expect(await hub.noteAnnouncement(campaigns[1]), "a new period")
    }

    /// Issue 25, at the route: ballots of two meetings cast within one quarter second reach the other instances as one
    /// notice naming both (the instance's announcement period ends when the test opens its gate).
    @Test func ballotsOfTwoMeetingsAreAnnouncedInOneNotice() async throws {
        guard TestDatabase.available.contains(.postgres) else { return }
        try await withApp(.postgres) { app in
            let gate = Gate()
            app.liveHub = LiveHub(gatherChanges: { await gate.passed() })
            let url = try #require(ProcessInfo.processInfo.environment["PINGYI_TEST_POSTGRES_URL"])
            let relay = LiveRelay(configuration: try SQLPostgresConfiguration(url: url).coreConfiguration)
            app.liveRelay = relay
            let box = try await openBox(app, present: 3)
            let other = try await secondBox(app, box, present: 3)
            let listener = try await sideConnection(app)
            let heard = NIOLockedValueBox<[String]>([])
            let listening = NIOLockedValueBox(false)
            let task = Task {
                try await listener.listen(on: LiveRelay.channel) { notices in
                    listening.withLockedValue { $0 = true }
                    for try await notice in notices { heard.withLockedValue { $0.append(notice.payload) } }
                }
            }
            let clock = ContinuousClock()
            var deadline = clock.now + .seconds(120)
            while !listening.withLockedValue({ $0 }), clock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }

            for code in [box.codes[0], other.opened.codes[0].code] {
                let check = try await spec(app, box, code: code)
                #expect(try await vote(app, code: code, marks: fullMarks(check)).status == .ok)
            }
            #expect(heard.withLockedValue { $0 }.isEmpty, "nothing announced before the period ends")
            await gate.open()
            deadline = clock.now + .seconds(120)
            while heard.withLockedValue({ $0 }).isEmpty, clock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            // A marker sent once the first notice is in: notices sent alongside it arrive before the marker.
            _ = try await (app.db as! any SQLDatabase).raw("SELECT pg_notify(\(bind: LiveRelay.channel), 'marker')").all()
            deadline = clock.now + .seconds(120)
            while !heard.withLockedValue({ $0.contains("marker") }), clock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            let notices = heard.withLockedValue { $0 }.prefix { $0 != "marker" }
            task.cancel()
            _ = await task.result
            try await listener.close()
            #expect(notices.count == 1, "\(notices)")
            let change = try #require(LiveRelay.change(inPayload: notices.first ?? "", otherThan: UUID()))
            #expect(change.soon)
            let otherCampaign = try #require(UUID(uuidString: String(other.base.split(separator: "/")[3])))
            #expect(Set(change.campaigns) == [try box.world.campaign.requireID(), otherCampaign])
        }
    }

    /// Issue 25: an instance watching many campaigns gathers each one's burst for longer, so that all of them together
    /// make at most `LiveHub.burstReadsPerSecond` burst reads a second; one meeting alone keeps the quarter second.
    @Test func burstReadsAreBudgetedOverTheCampaignsWatched() async {
        #expect(LiveHub.gatherPeriod(watchedCampaigns: 0) == .milliseconds(250))
        #expect(LiveHub.gatherPeriod(watchedCampaigns: 25) == .milliseconds(250))
        #expect(LiveHub.gatherPeriod(watchedCampaigns: 100) == .seconds(1))
        #expect(LiveHub.gatherPeriod(watchedCampaigns: 150) == .milliseconds(1500))
        let hub = LiveHub()
        let first = UUID()
        let one = await hub.add(Screen(), to: first)
        _ = await hub.add(Screen(), to: first)
        #expect(await hub.currentGatherPeriod() == .milliseconds(250))
        var others: [(UUID, UUID)] = []
        for _ in 0..<149 {
            let campaign = UUID()
            others.append((await hub.add(Screen(), to: campaign), campaign))
        }
        #expect(await hub.currentGatherPeriod() == .milliseconds(1500), "150 campaigns watched (one by two screens)")
        for (screen, campaign) in others { await hub.remove(screen, from: campaign) }
        await hub.remove(one, from: first)
        #expect(await hub.currentGatherPeriod() == .milliseconds(250))
    }

    @Test func aBurstOfChangesCostsAtMostOneMoreRead() async {
        // Setup: nobody watches, so nothing to read.
        let hub = LiveHub()
        let campaign = UUID()
        #expect(await hub.beginRefresh(campaign) == false)
        // Call: with a watcher, a read starts; three changes arrive during it.
        _ = await hub.add(Screen(), to: campaign)
        #expect(await hub.beginRefresh(campaign))
        for _ in 0..<3 { #expect(await hub.beginRefresh(campaign) == false) }
        // Check: one more read, then done; the next change starts afresh.
        #expect(await hub.endRefresh(campaign))
        #expect(await hub.endRefresh(campaign) == false)
        #expect(await hub.beginRefresh(campaign))
    }
}

/// Issue 25: ballots cast on this instance and burst changes announced by another instance (as the relay hands them
/// on) within one period are one read and one frame to the screens, not one per source; and the campaigns changed in
/// one period are read together, in one batch, not each after its own wait.
@Suite("Live screens fold local and announced bursts")
struct LiveFoldTests: BallotBoxHelpers {
    @Test(arguments: TestDatabase.available)
    func ballotsHereAndAnnouncedFromElsewhereAreReadOncePerPeriod(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // Setup: two open boxes and a screen watching each campaign; the period (a quarter second in production)
            // ends when the test opens its gate, so a slow machine cannot split the burst.
            let gate = Gate()
            app.liveHub = LiveHub(gatherChanges: { await gate.passed() })
            let box = try await openBox(app, present: 6)
            let other = try await secondBox(app, box, present: 3)
            let campaign = try box.world.campaign.requireID()
            let otherCampaign = try #require(UUID(uuidString: String(other.base.split(separator: "/")[3])))
            let screen = CountingScreen(), otherScreen = CountingScreen()
            _ = await app.liveHub.add(screen, to: campaign)
            _ = await app.liveHub.add(otherScreen, to: otherCampaign)
            // A whole read of each first (as at a screen's connection), so the burst reads come from the snapshots.
            await LiveScreens.refresh(campaign, app: app)
            await LiveScreens.refresh(otherCampaign, app: app)
            let (firstFrames, otherFirstFrames) = (screen.frames.count, otherScreen.frames.count)
            // Call: three ballots here, each followed by a burst change announced by another instance (as the relay
            // hands it on); one ballot in the other meeting.
            let check = try await spec(app, box, code: box.codes[0])
            for code in box.codes.prefix(3) {
                let reply = try await vote(app, code: code, marks: fullMarks(check))
                #expect(reply.status == .ok, "\(reply.text)")
                await LiveScreens.readSoon(campaign, app: app)
            }
            let otherCode = other.opened.codes[0].code
            let otherCheck = try await spec(app, box, code: otherCode)
            #expect(try await vote(app, code: otherCode, marks: fullMarks(otherCheck)).status == .ok)
            // Check: one period was waited for both campaigns; each screen gets one frame with its own ballots, and
            // nothing is pending after it.
            #expect(screen.frames.count == firstFrames && otherScreen.frames.count == otherFirstFrames, "nothing is read before the period ends")
            await gate.open()
            let clock = ContinuousClock(), deadline = clock.now + .seconds(120)
            while (screen.frames.count == firstFrames || otherScreen.frames.count == otherFirstFrames) && clock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            let periods = await gate.waiters
            #expect(periods == 1, "one period for both campaigns' bursts: \(periods)")
            #expect(screen.frames.count == firstFrames + 1, "one frame for the whole burst: \(screen.frames.count - firstFrames)")
            #expect(screen.frames.last?.contains("\"receivedPhone\":3") == true, "\(screen.frames.last ?? "")")
            #expect(otherScreen.frames.count == otherFirstFrames + 1 && otherScreen.frames.last?.contains("\"receivedPhone\":1") == true,
                    "\(otherScreen.frames.last ?? "")")
            #expect(await app.liveHub.snapshot(of: campaign)?.state.round?.receivedPhone == 0, "served from the snapshot, not read whole")
            #expect(await app.liveHub.noteBurst(campaign), "no read left pending")
        }
    }
}

/// Holds whoever waits until `open()`.
actor Gate {
    private var isOpen = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    /// How many have come to the gate.
    private(set) var waiters = 0

    func passed() async {
        waiters += 1
        if isOpen { return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func open() {
        isOpen = true
        for continuation in waiting { continuation.resume() }
        waiting = []
    }
}

final class CountingScreen: LiveScreen, @unchecked Sendable {
    private let lock = NSLock()
    private var sent: [String] = []
    var frames: [String] { lock.withLock { sent } }
    var isClosed: Bool { false }
    func send(_ text: String) { lock.withLock { sent.append(text) } }
}

final class Screen: LiveScreen, @unchecked Sendable {
    var isClosed: Bool { false }
    func send(_ text: String) {}
}
