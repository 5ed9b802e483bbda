@testable import App
import Fluent
import Foundation
import PingyiCore
import Testing
import Vapor

/// Issue 25: burst reads (ballots, check-ins) re-read only the counts of the last whole read, while nothing else moved.
@Suite("Live screens' burst reads")
struct LiveSnapshotTests: BallotBoxHelpers {
    /// At the route, on a real WebSocket: every ballot and check-in is counted on the projector; the second ballot is
    /// served from the snapshot (no whole read), and after the chair's message the next ballot's state carries it.
    @Test(arguments: TestDatabase.available)
    func burstReadsCountEveryBallotAndKeepTheChairsLastChange(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // An hour's reuse: on a loaded machine the next ballot may come more than 5 s after the whole read.
            app.liveHub = LiveHub(gatherChanges: {}, snapshotReuse: .seconds(3600))
            let box = try await openBox(app, present: 3)
            let campaignID = try box.world.campaign.requireID()
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            let port = try #require(app.http.server.shared.localAddress?.port)
            let token = String(box.meeting.projectorPath.dropFirst(3))
            let inbox = Inbox()
            let socket = try await connectScreen(app, port: port, token: token, inbox: inbox)
            try await inbox.wait { await !$0.states(0).isEmpty }
            let check = try await spec(app, box, code: box.codes[0])

            func voteAndSee(_ index: Int) async throws -> LiveStateDTO {
                #expect(try await vote(app, code: box.codes[index], marks: fullMarks(check)).status == .ok)
                try await inbox.wait { await $0.states(0).contains { $0.round?.receivedPhone == index + 1 } }
                return try #require(await inbox.states(0).first { $0.round?.receivedPhone == index + 1 })
            }
            // The screen's first state was read whole and kept: the first ballot re-reads only counts.
            let connected = try #require(await app.liveHub.snapshot(of: campaignID))
            let first = try await voteAndSee(0)
            #expect(first.round?.received == 1 && first.round?.groups.map(\.received).reduce(0, +) == 1)
            let whole = try #require(await app.liveHub.snapshot(of: campaignID))
            #expect(whole.readAt == connected.readAt, "the first ballot's state came from the snapshot kept at the connection")

            let second = try await voteAndSee(1)
            #expect(second.round?.received == 2 && second.round?.groups.map(\.received).reduce(0, +) == 2)
            #expect(second.attendance.attendeesPresent == 3)
            let reused = try #require(await app.liveHub.snapshot(of: campaignID))
            #expect(reused.readAt == whole.readAt, "the second ballot's state came from the snapshot")

            let said = try await call(app, .POST, "api/v1/campaigns/\(campaignID)/meeting/message", token: box.world.token(.chair),
                                      json: MessageRequest(text: "请按顺序投票"))
            #expect(said.status == .ok, "\(said.text)")
            let saidRevision = try said.decode(MeetingDTO.self).live.revision
            let third = try await voteAndSee(2)
            #expect(third.message == "请按顺序投票" && third.revision == saidRevision)
            #expect(try #require(await app.liveHub.snapshot(of: campaignID)).readAt > whole.readAt)

            let latecomer = try #require(try await Participant.query(on: app.db).filter(\.$campaign.$id == campaignID)
                .filter(\.$role == .attendee).filter(\.$checkedInAt == nil).first())
            #expect(try await call(app, .POST, "api/v1/campaigns/\(campaignID)/check-in", token: box.world.token(.teller),
                                   json: CheckInRequest(participantID: latecomer.id)).status == .ok)
            try await inbox.wait { await $0.states(0).contains { $0.attendance.attendeesPresent == 4 } }
            let checkedIn = try #require(await inbox.states(0).first { $0.attendance.attendeesPresent == 4 })
            #expect(checkedIn.message == "请按顺序投票" && checkedIn.round?.receivedPhone == 3)
            try await socket.close()
            await app.server.shutdown()
        }
    }

    /// The snapshot serves only while its key holds: a chair's change, the round's seal or its age sends the next
    /// burst to a whole read.
    @Test(arguments: TestDatabase.available)
    func aSnapshotIsReadWholeAgainWhenItsKeyMovesOrItIsOld(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let box = try await openBox(app, present: 3)
            let campaignID = try box.world.campaign.requireID()
            // Only the age check below uses the real reuse: on a loaded machine a request alone can take seconds.
            let hour = Duration.seconds(3600)
            func wholeRead() async throws -> LiveSnapshot {
                let campaign = try #require(try await LiveCampaign.find(campaignID, on: app.db))
                return try await LiveSnapshot.read(campaign, try await meetingOf(campaignID: campaignID, on: app.db), on: app.db)
            }
            var snapshot = try await wholeRead()
            let check = try await spec(app, box, code: box.codes[0])
            #expect(try await vote(app, code: box.codes[0], marks: fullMarks(check)).status == .ok)
            let counted = try #require(try await snapshot.reread(campaignID: campaignID, reuse: hour, on: app.db))
            #expect(counted.round?.receivedPhone == 1 && counted.agenda == snapshot.state.agenda)

            // While the meeting runs (set-up frozen) a snapshot serves until its key moves (ten minutes at most); before
            // it, 5 s.
            snapshot.readAt = .now - LiveSnapshot.longestReuse
            #expect(try await snapshot.reread(campaignID: campaignID, on: app.db) != nil)
            snapshot.readAt = .now - LiveSnapshot.longestReuseInMeeting
            #expect(try await snapshot.reread(campaignID: campaignID, on: app.db) == nil)
            var preparing = snapshot
            preparing.key.status = CampaignPhase.preparing.rawValue
            #expect(preparing.longestReuse() == LiveSnapshot.longestReuse && snapshot.longestReuse() == LiveSnapshot.longestReuseInMeeting)

            snapshot = try await wholeRead()
            #expect(try await call(app, .POST, "api/v1/campaigns/\(campaignID)/meeting/message", token: box.world.token(.chair),
                                   json: MessageRequest(text: "休会十分钟")).status == .ok)
            #expect(try await snapshot.reread(campaignID: campaignID, reuse: hour, on: app.db) == nil)

            // 补发: codes given out later change what the round issued; the snapshot would show the old figure.
            snapshot = try await wholeRead()
            let group = try #require(try await RaterGroup.query(on: app.db).filter(\.$campaign.$id == campaignID).sort(\.$position).first())
            #expect(try await call(app, .POST, "\(box.base)/\(box.roundID)/codes", token: box.world.token(.chair),
                                   json: ExtraCodesRequest(raterGroupID: group.id!, count: 2)).status == .ok)
            #expect(try await snapshot.reread(campaignID: campaignID, reuse: hour, on: app.db) == nil)

            snapshot = try await wholeRead()
            #expect(try await snapshot.reread(campaignID: campaignID, reuse: hour, on: app.db) != nil)
            #expect(try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: box.world.token(.chair)).status == .ok)
            #expect(try await snapshot.reread(campaignID: campaignID, reuse: hour, on: app.db) == nil)
        }
    }

    private func connectScreen(_ app: Application, port: Int, token: String, inbox: Inbox) async throws -> WebSocket {
        let holder = SocketHolder()
        try await WebSocket.connect(to: "ws://127.0.0.1:\(port)/live/\(token)", on: app.eventLoopGroup) { socket in
            holder.socket = socket
            socket.onText { _, text in Task { await inbox.add(0, text) } }
        }
        return try #require(holder.socket)
    }
}

private final class SocketHolder: @unchecked Sendable {
    var socket: WebSocket?
}
