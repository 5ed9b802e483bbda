@testable import App
import Foundation
import Testing

@Suite("Live relay between instances")
struct LiveRelayTests {
    @Test func aNotificationNamesTheCampaignOfAnotherInstanceOnly() {
        // Setup
        let me = UUID(), other = UUID(), campaign = UUID()
        // Call
        let fromOther = LiveRelay.campaign(inPayload: LiveRelay.payload(instance: other, campaign: campaign), otherThan: me)
        let fromMe = LiveRelay.campaign(inPayload: LiveRelay.payload(instance: me, campaign: campaign), otherThan: me)
        // Check
        #expect(fromOther == campaign)
        #expect(fromMe == nil)
        for junk in ["", "x", "\(other.uuidString)", "\(other.uuidString) not-a-uuid", "a b c", "\(other.uuidString) \(campaign.uuidString) x"] {
            #expect(LiveRelay.campaign(inPayload: junk, otherThan: me) == nil, "\(junk)")
        }
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

final class Screen: LiveScreen, @unchecked Sendable {
    var isClosed: Bool { false }
    func send(_ text: String) {}
}
