import Fluent
import Foundation
import Vapor

/// The one way to tell a campaign's live screens (projector, console) that something changed: this instance's
/// screens get the new state, and the other instances are told over the relay to read it themselves.
enum LiveScreens {
    /// A state already read in the same request (a chair's action): sent as it is.
    static func send(_ state: LiveStateDTO, campaignID: UUID, app: Application) async {
        guard let text = try? jsonText(state) else { return }
        await app.liveHub.broadcast(text, to: campaignID)
        await app.liveRelay?.announce(campaignID, on: app.db)
    }

    /// Re-reads the state and sends it now (a round opened, sealed or counted; a sheet keyed).
    static func refresh(_ campaignID: UUID, app: Application) async {
        await readAndSend(campaignID, app: app)
        await app.liveRelay?.announce(campaignID, on: app.db)
    }

    /// For changes that come in bursts (ballots, check-ins): at most one update per campaign a period (a quarter second,
    /// more when many campaigns are watched: `LiveHub.gatherPeriod`), and none when nobody watches, so a busy door or
    /// ballot box does not recompute the screen each time. Other instances are told at most every quarter second, of
    /// all the campaigns changed meanwhile in one notice, and fold it into their own next read (`readSoon`).
    static func refreshSoon(_ campaignID: UUID, app: Application) async {
        if let relay = app.liveRelay, await app.liveHub.noteAnnouncement(campaignID) {
            Task {
                await app.liveHub.gatherAnnouncements()
                await relay.announce(await app.liveHub.takeAnnouncements(), soon: true, on: app.db)
            }
        }
        await readSoon(campaignID, app: app)
    }

    /// This instance's screens of the campaign read once a period however many burst changes arrive, whether made here
    /// or announced by another instance (issue 25: with meetings voting on two instances each change was read twice),
    /// together with every other campaign changed in the period (`LiveSnapshot.reread`).
    static func readSoon(_ campaignID: UUID, app: Application) async {
        let hub = app.liveHub
        guard await hub.noteBurst(campaignID) else { return }
        Task {
            await hub.gatherChanges()
            await readCounts(await hub.takeBursts(), app: app)
        }
    }

    /// Reads a campaign's live state and sends it to this instance's screens; changes that arrive while it reads are
    /// folded into one more read, so a burst costs at most two. `counts`: only ballots or check-ins changed, so the last
    /// whole read's snapshot serves with its counts read again (`LiveSnapshot.reread`) while its key holds.
    static func readAndSend(_ campaignID: UUID, counts: Bool = false, app: Application) async {
        let hub = app.liveHub
        guard await hub.beginRefresh(campaignID) else { return }
        await sendUntilSettled(campaignID, counts: counts, app: app)
    }

    /// The burst reads of a period: the counts of every campaign whose snapshot holds in one batch, the others read
    /// whole. A campaign already being read gets its read once more instead (`beginRefresh`).
    private static func readCounts(_ campaignIDs: [UUID], app: Application) async {
        let hub = app.liveHub
        var claimed: [UUID] = []
        for id in campaignIDs where await hub.beginRefresh(id) { claimed.append(id) }
        guard !claimed.isEmpty else { return }
        let counted = (try? await LiveSnapshot.reread(await hub.snapshots(of: claimed), reuse: hub.snapshotReuse, on: app.db)) ?? [:]
        var more: [(id: UUID, counts: Bool)] = []
        for id in claimed {
            guard let state = counted[id] else { more.append((id, false)); continue }
            if let text = try? jsonText(state) { await hub.broadcast(text, to: id) }
            if await hub.endRefresh(id) { more.append((id, true)) }
        }
        // A few at a time: the first ballots after a long pause find every snapshot old, and a hundred whole reads at
        // once (eleven queries each) held the connections the ballots needed (issue 25).
        await withTaskGroup(of: Void.self) { group in
            for (index, read) in more.enumerated() {
                if index >= wholeReadsAtOnce { await group.next() }
                group.addTask { await sendUntilSettled(read.id, counts: read.counts, app: app) }
            }
        }
    }

    /// Whole reads a burst read runs at once.
    static let wholeReadsAtOnce = 2

    /// With the campaign's read claimed (`beginRefresh`): reads and sends until no change came during the read.
    private static func sendUntilSettled(_ campaignID: UUID, counts: Bool, app: Application) async {
        let hub = app.liveHub
        repeat {
            if let state = await read(campaignID, counts: counts, app: app), let text = try? jsonText(state) {
                await hub.broadcast(text, to: campaignID)
            }
        } while await hub.endRefresh(campaignID)
    }

    private static func read(_ campaignID: UUID, counts: Bool, app: Application) async -> LiveStateDTO? {
        let hub = app.liveHub
        if counts, let snapshot = await hub.snapshot(of: campaignID),
           let state = (try? await snapshot.reread(campaignID: campaignID, reuse: hub.snapshotReuse, on: app.db)) ?? nil {
            return state
        }
        guard let campaign = (try? await LiveCampaign.find(campaignID, on: app.db)) ?? nil,
              let meeting = try? await meetingOf(campaignID: campaignID, on: app.db),
              let snapshot = try? await LiveSnapshot.read(campaign, meeting, on: app.db) else { return nil }
        await hub.keep(snapshot, of: campaignID)
        return snapshot.state
    }
}

extension MeetingDTO {
    /// Sends the committed state to every live screen of the campaign, then returns it.
    func broadcasting(_ req: Request, _ campaign: Campaign) async throws -> MeetingDTO {
        await LiveScreens.send(live, campaignID: try campaign.requireID(), app: req.application)
        return self
    }
}
