@testable import App
import Fluent
import Foundation
import NIOCore
import NIOPosix
import PingyiCore
import Testing
import Vapor

@Suite("The live meeting")
struct MeetingTests {
    /// The demo campaign in the meeting phase, with its meeting created.
    func meetingWorld(_ app: Application) async throws -> (World, MeetingDTO) {
        let world = try await World.make(app)
        let moved = try await call(app, .POST, "api/v1/campaigns/\(world.campaignID)/status", token: world.token(.districtAdmin),
                                   json: ["status": "meeting"])
        #expect(moved.status == .ok)
        let meeting = try await call(app, .GET, "api/v1/campaigns/\(world.campaignID)/meeting", token: world.token(.chair)).decode(MeetingDTO.self)
        return (world, meeting)
    }

    func speech(_ app: Application, _ world: World, _ reportee: UUID, _ action: String, as who: WorldAccount = .chair) async throws -> Reply {
        try await call(app, .POST, "api/v1/campaigns/\(world.campaignID)/speeches/\(reportee)/\(action)", token: world.token(who))
    }

    /// The README: check-in cards print, and their codes exist, before the meeting; every participant has one, added
    /// before or during the meeting. Reading the cards writes nothing.
    @Test(arguments: TestDatabase.available)
    func checkInCodesExistBeforeTheMeetingAndReadingTheCardsWritesNothing(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let base = "api/v1/campaigns/\(world.campaignID)"
            let before = try await call(app, .GET, "\(base)/participants", token: world.token(.districtAdmin)).decode([ParticipantDTO].self)
            #expect(!before.isEmpty && before.allSatisfy { $0.checkInCode?.count == 8 })
            #expect(Set(before.compactMap(\.checkInCode)).count == before.count)
            let early = try await call(app, .POST, "\(base)/participants", token: world.token(.districtAdmin),
                                       json: ["name": "筹备补报", "role": "observer"]).decode(ParticipantDTO.self)
            #expect(early.checkInCode?.count == 8 && !before.contains { $0.checkInCode == early.checkInCode })
            let auditBefore = try await AuditEntry.query(on: app.db).count()
            let meetingRows = try await Meeting.query(on: app.db).count()
            let cards = try await call(app, .GET, "\(base)/check-in-cards", token: world.token(.teller)).decode([CheckInCardDTO].self)
            _ = try await call(app, .GET, "\(base)/meeting", token: world.token(.chair)).decode(MeetingDTO.self)
            #expect(cards.map(\.code).sorted() == (before + [early]).compactMap(\.checkInCode).sorted())
            #expect(try await AuditEntry.query(on: app.db).count() == auditBefore)
            #expect(try await Meeting.query(on: app.db).count() == meetingRows)
            let moved = try await call(app, .POST, "\(base)/status", token: world.token(.districtAdmin), json: ["status": "meeting"])
            #expect(moved.status == .ok, "\(moved.text)")
            let after = try await call(app, .GET, "\(base)/participants", token: world.token(.districtAdmin)).decode([ParticipantDTO].self)
            // The meeting's start keeps the codes already printed.
            #expect(after.compactMap(\.checkInCode).sorted() == cards.map(\.code).sorted())
            // someone added during the meeting gets a code in the same answer
            let late = try await call(app, .POST, "\(base)/participants", token: world.token(.districtAdmin),
                                      json: ["name": "补报人员", "role": "observer"]).decode(ParticipantDTO.self)
            #expect(late.checkInCode?.count == 8 && !after.contains { $0.checkInCode == late.checkInCode })
        }
    }

    @Test(arguments: TestDatabase.available)
    func theSeedAgendaAndFourSpeakersInOrder(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let (_, meeting) = try await meetingWorld(app)
            #expect(meeting.live.agenda.map(\.title) == ["会上述职", "民主评议", "主持人小结"])
            #expect(meeting.live.speakers.map(\.unitName) == ["**镇党委", "区教育党工委", "区社会事务局党组", "**市园艺场党委"])
            #expect(meeting.live.speakers.allSatisfy { $0.clock.limitSeconds == 480 && $0.clock.phase == "not_started" })
            #expect(meeting.canChair)
            #expect(meeting.projectorPath.hasPrefix("/p/"))
        }
    }

    @Test(arguments: TestDatabase.available)
    func aSpeechRunsPausesEndsAndIsStoredWithItsDuration(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let (world, meeting) = try await meetingWorld(app)
            let first = meeting.live.speakers[0].reporteeID
            // start
            let before = Date().timeIntervalSince1970 * 1000
            let started = try await speech(app, world, first, "start").decode(MeetingDTO.self)
            let after = Date().timeIntervalSince1970 * 1000
            #expect(started.live.currentReporteeID == first)
            let clock = started.live.speakers[0].clock
            #expect(clock.phase == "running" && clock.startedAtMs != nil)
            // Started while this request was handled: within the request as the test's own clock saw it, and before the
            // answer's server time (bounds, not a duration, so a loaded machine cannot fail it).
            #expect(clock.startedAtMs! <= started.live.serverTimeMs)
            #expect(clock.startedAtMs! >= before.rounded(.down) - 1 && clock.startedAtMs! <= after.rounded(.up) + 1)
            // pause and resume
            let paused = try await speech(app, world, first, "pause").decode(MeetingDTO.self)
            #expect(paused.live.speakers[0].clock.phase == "paused")
            try expectError(try await speech(app, world, first, "pause"), .conflict)
            try await Task.sleep(for: .milliseconds(300))
            let resumed = try await speech(app, world, first, "resume").decode(MeetingDTO.self)
            #expect(resumed.live.speakers[0].clock.pausedSeconds >= 0.25)
            // a second speaker cannot start while the first speaks
            try expectError(try await speech(app, world, meeting.live.speakers[1].reporteeID, "start"), .conflict)
            // end
            let ended = try await speech(app, world, first, "end").decode(MeetingDTO.self)
            #expect(ended.live.speakers[0].clock.phase == "finished")
            let stored = try await Speech.query(on: app.db).first()!
            let elapsed = stored.clock.elapsed(at: Date())
            // Ended: the clock no longer runs (a minute later it shows the same time).
            #expect(stored.endedAt != nil && stored.clock.elapsed(at: Date().addingTimeInterval(60)) == elapsed)
            #expect(ended.live.speakers[0].durationSeconds == Int(elapsed.rounded()))
        }
    }

    @Test func theNextSpeakerWaitsForTheChairsCommentOrItsSkipping() async throws {
        try await withApp(.sqlite) { app in
            let (world, meeting) = try await meetingWorld(app)
            let ids = meeting.live.speakers.map(\.reporteeID)
            _ = try await speech(app, world, ids[0], "start")
            // no comment on a speech still running
            try expectError(try await call(app, .POST, "api/v1/campaigns/\(world.campaignID)/speeches/\(ids[0])/comment",
                                            token: world.token(.chair), json: CommentRequest(text: "很好")), .conflict)
            _ = try await speech(app, world, ids[0], "end")
            let blocked = try await speech(app, world, ids[1], "start")
            try expectError(blocked, .conflict)
            #expect(blocked.text.contains("王建华"))
            try expectError(try await call(app, .POST, "api/v1/campaigns/\(world.campaignID)/speeches/\(ids[0])/comment",
                                            token: world.token(.chair), json: CommentRequest(text: "  ")), .unprocessableEntity)
            let commented = try await call(app, .POST, "api/v1/campaigns/\(world.campaignID)/speeches/\(ids[0])/comment",
                                           token: world.token(.chair), json: CommentRequest(text: "抓党建责任落实到位，但村级集体经济发展仍需加力。"))
            #expect(try commented.decode(MeetingDTO.self).comments[ids[0].uuidString]?.contains("集体经济") == true)
            #expect(try await speech(app, world, ids[1], "start").status == .ok)
            _ = try await speech(app, world, ids[1], "end")
            let skipped = try await call(app, .POST, "api/v1/campaigns/\(world.campaignID)/speeches/\(ids[1])/comment",
                                         token: world.token(.chair), json: CommentRequest(skip: true)).decode(MeetingDTO.self)
            #expect(skipped.live.speakers[1].commentSkipped && skipped.live.speakers[1].commented)
            #expect(try await speech(app, world, ids[2], "start").status == .ok)
            // the minutes carry both
            let minutes = try await call(app, .GET, "api/v1/campaigns/\(world.campaignID)/minutes", token: world.token(.chair)).decode(MinutesDTO.self)
            #expect(minutes.speakers[0].comment?.contains("集体经济") == true)
            #expect(minutes.speakers[1].commentSkipped)
            #expect(minutes.speakers[2].durationText == "进行中")
            #expect(minutes.speakers[3].durationText == "未发言")
            #expect(minutes.writtenReportees.count == 7)
            let log = try await AuditEntry.query(on: app.db).filter(\.$action == "speech.end").all()
            #expect(log.count == 2 && log.allSatisfy { $0.summary.contains("用时") })
        }
    }

    @Test func onlyTheChairAndAdminsDriveTheMeeting() async throws {
        try await withApp(.sqlite) { app in
            let (world, meeting) = try await meetingWorld(app)
            let first = meeting.live.speakers[0].reporteeID
            for who: WorldAccount in [.teller, .scrutineer, .reportee] {
                try expectError(try await speech(app, world, first, "start", as: who), .forbidden)
            }
            for who: WorldAccount in [.outsideChair, .townAdmin, .otherReportee] {
                try expectError(try await speech(app, world, first, "start", as: who), .notFound)
            }
            #expect(try await Speech.query(on: app.db).count() == 0)
            #expect(try await speech(app, world, first, "start", as: .districtAdmin).status == .ok)
            // written reportees do not speak; unknown actions are not found
            let written = try await Reportee.query(on: app.db).filter(\.$mode == .written).first()!
            try expectError(try await speech(app, world, written.id!, "start"), .unprocessableEntity)
            try expectError(try await speech(app, world, first, "explode"), .notFound)
        }
    }

    @Test func theMeetingNeedsTheMeetingPhase() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            let reportee = try await Reportee.query(on: app.db).filter(\.$mode == .onsite).first()!
            try expectError(try await speech(app, world, reportee.id!, "start"), .conflict, code: "wrong_state")
            try expectError(try await call(app, .POST, "api/v1/campaigns/\(world.campaignID)/check-in", token: world.token(.teller),
                                            json: CheckInRequest(code: "ABCDEFGH")), .conflict)
        }
    }

    @Test func agendaAndMessageAreTheChairs() async throws {
        try await withApp(.sqlite) { app in
            let (world, _) = try await meetingWorld(app)
            let base = "api/v1/campaigns/\(world.campaignID)/meeting"
            let agenda = [AgendaInput(title: "会上述职", kind: "reports"), AgendaInput(title: "民主评议", kind: "evaluation"),
                          AgendaInput(title: "领导讲话", kind: "other"), AgendaInput(title: "主持人小结", kind: "summary")]
            let edited = try await call(app, .PUT, base + "/agenda", token: world.token(.chair), json: agenda).decode(MeetingDTO.self)
            #expect(edited.live.agenda.map(\.title) == ["会上述职", "民主评议", "领导讲话", "主持人小结"])
            try expectError(try await call(app, .PUT, base + "/agenda", token: world.token(.chair), json: [AgendaInput]()), .unprocessableEntity)
            try expectError(try await call(app, .PUT, base + "/agenda", token: world.token(.chair),
                                            json: [AgendaInput(title: "甲", kind: "party")]), .unprocessableEntity)
            let moved = try await call(app, .POST, base + "/current", token: world.token(.chair), json: ["index": 1]).decode(MeetingDTO.self)
            #expect(moved.live.currentItem == 1)
            try expectError(try await call(app, .POST, base + "/current", token: world.token(.chair), json: ["index": 9]), .unprocessableEntity)
            let message = try await call(app, .POST, base + "/message", token: world.token(.chair),
                                         json: ["text": "请将手机调至静音\n谢谢"]).decode(MeetingDTO.self)
            #expect(message.live.message == "请将手机调至静音 谢谢")
            #expect(message.live.revision > moved.live.revision)
            try expectError(try await call(app, .POST, base + "/message", token: world.token(.teller), json: ["text": "x"]), .forbidden)
        }
    }

    @Test(arguments: TestDatabase.available)
    func checkInByCodeOrNameCountsTowardsTheQuorum(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let (world, _) = try await meetingWorld(app)
            let base = "api/v1/campaigns/\(world.campaignID)"
            let people = try await call(app, .GET, base + "/participants", token: world.token(.teller)).decode([ParticipantDTO].self)
            #expect(people.allSatisfy { ($0.checkInCode?.count ?? 0) == 8 })
            #expect(Set(people.compactMap(\.checkInCode)).count == people.count)
            let attendees = people.filter { $0.role == "attendee" }
            // by typed code, lower case and padded as a person types it
            let first = try await call(app, .POST, base + "/check-in", token: world.token(.teller),
                                       json: CheckInRequest(code: "  " + attendees[0].checkInCode!.lowercased() + "\n")).decode(CheckInResultDTO.self)
            #expect(first.participant.id == attendees[0].id && !first.alreadyCheckedIn && first.participant.checkedInAt != nil)
            // twice is harmless
            let again = try await call(app, .POST, base + "/check-in", token: world.token(.scrutineer),
                                       json: CheckInRequest(participantID: attendees[0].id)).decode(CheckInResultDTO.self)
            #expect(again.alreadyCheckedIn)
            // a space or a hyphen typed inside the code (as printed in groups), full-width too, finds the person
            let code = attendees[1].checkInCode!
            let spaced = String(code.prefix(4)) + " \u{3000}-" + String(code.suffix(4)).lowercased()
            let second = try await call(app, .POST, base + "/check-in", token: world.token(.teller), json: CheckInRequest(code: spaced))
            #expect(second.status == .ok, "\(second.text)")
            #expect(try second.decode(CheckInResultDTO.self).participant.id == attendees[1].id)
            // 20 of 40 is not a quorum, 21 is
            var last: CheckInResultDTO?
            for person in attendees[1..<20] {
                last = try await call(app, .POST, base + "/check-in", token: world.token(.chair), json: CheckInRequest(participantID: person.id))
                    .decode(CheckInResultDTO.self)
            }
            #expect(last?.attendance.attendeesPresent == 20 && last?.attendance.hasQuorum == false && last?.attendance.shortOfQuorum == 1)
            let guest = people.first { $0.role == "guest" }!
            let guestIn = try await call(app, .POST, base + "/check-in", token: world.token(.chair), json: CheckInRequest(participantID: guest.id))
                .decode(CheckInResultDTO.self)
            #expect(guestIn.attendance.hasQuorum == false && guestIn.attendance.attendance.guestsPresent == 1)
            let quorum = try await call(app, .POST, base + "/check-in", token: world.token(.chair), json: CheckInRequest(participantID: attendees[20].id))
                .decode(CheckInResultDTO.self)
            #expect(quorum.attendance.hasQuorum)
            // undo
            let undone = try await call(app, .DELETE, base + "/check-in/\(attendees[20].id)", token: world.token(.chair)).decode(AttendanceDTO.self)
            #expect(!undone.hasQuorum)
            try expectError(try await call(app, .DELETE, base + "/check-in/\(attendees[20].id)", token: world.token(.chair)), .conflict)
            // refusals: an unknown code, nothing at all, a reportee at the door
            try expectError(try await call(app, .POST, base + "/check-in", token: world.token(.teller), json: CheckInRequest(code: "ZZZZZZZZ")), .notFound)
            try expectError(try await call(app, .POST, base + "/check-in", token: world.token(.teller), json: CheckInRequest()), .unprocessableEntity)
            try expectError(try await call(app, .POST, base + "/check-in", token: world.token(.reportee),
                                            json: CheckInRequest(participantID: attendees[30].id)), .forbidden)
        }
    }

    @Test func checkInCardsCarryEachPersonsCodeAndItsQR() async throws {
        try await withApp(.sqlite) { app in
            let (world, _) = try await meetingWorld(app)
            let cards = try await call(app, .GET, "api/v1/campaigns/\(world.campaignID)/check-in-cards", token: world.token(.teller))
                .decode([CheckInCardDTO].self)
            let people = try await Participant.query(on: app.db).filter(\.$campaign.$id == world.campaign.id!).sort(\.$position).all()
            #expect(cards.map(\.code) == people.map { $0.checkInCode ?? "" })
            #expect(cards.allSatisfy { $0.code.count == 8 && $0.qrSVG.hasPrefix("<svg") })
            #expect(cards.first?.raterGroup == "区领导" && cards.last?.raterGroup == nil)
            try expectError(try await call(app, .GET, "api/v1/campaigns/\(world.campaignID)/check-in-cards", token: world.token(.reportee)), .forbidden)
            try expectError(try await call(app, .GET, "api/v1/campaigns/\(world.campaignID)/check-in-cards", token: world.token(.outsideChair)), .notFound)
            // the card's code checks its holder in
            let result = try await call(app, .POST, "api/v1/campaigns/\(world.campaignID)/check-in", token: world.token(.teller),
                                        json: CheckInRequest(code: cards[3].code)).decode(CheckInResultDTO.self)
            #expect(result.participant.name == cards[3].name)
        }
    }

    @Test func theProjectorLinkIsPublicButRevealsNoVoterOrComment() async throws {
        try await withApp(.sqlite) { app in
            let (world, meeting) = try await meetingWorld(app)
            let token = String(meeting.projectorPath.dropFirst(3))
            let first = meeting.live.speakers[0].reporteeID
            _ = try await speech(app, world, first, "start")
            _ = try await speech(app, world, first, "end")
            _ = try await call(app, .POST, "api/v1/campaigns/\(world.campaignID)/speeches/\(first)/comment", token: world.token(.chair),
                               json: CommentRequest(text: "机密的点评内容"))
            let state = try await call(app, .GET, "api/v1/live/\(token)")
            #expect(state.status == .ok)
            #expect(!state.text.contains("机密的点评内容"))
            let participant = try await Participant.query(on: app.db).first()!
            #expect(!state.text.contains(participant.name))
            #expect(try await call(app, .GET, "api/v1/live/\(String(repeating: "x", count: 43))").status == .notFound)
            #expect(try await call(app, .GET, "/p/\(token)").text.contains("projector"))
        }
    }

    /// Two live screens on real WebSockets see the same committed state after the chair acts.
    @Test func everyLiveScreenReceivesTheSameClock() async throws {
        try await withApp(.sqlite) { app in
            let (world, meeting) = try await meetingWorld(app)
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            let port = try #require(app.http.server.shared.localAddress?.port)
            let token = String(meeting.projectorPath.dropFirst(3))
            let inbox = Inbox()
            var sockets: [WebSocket] = []
            for screen in 0..<2 {
                try await WebSocket.connect(to: "ws://127.0.0.1:\(port)/live/\(token)", on: app.eventLoopGroup) { socket in
                    sockets.append(socket)
                    socket.onText { _, text in Task { await inbox.add(screen, text) } }
                }
            }
            // each screen gets the snapshot on connecting
            try await inbox.wait { inbox in
                let a = await inbox.states(0).count
                let b = await inbox.states(1).count
                return a >= 1 && b >= 1
            }
            let first = meeting.live.speakers[0].reporteeID
            let started = try await speech(app, world, first, "start").decode(MeetingDTO.self)
            let paused = try await speech(app, world, first, "pause").decode(MeetingDTO.self)
            try await inbox.wait { inbox in
                await [0, 1].asyncAllSatisfy { await inbox.states($0).contains { $0.revision == paused.live.revision } }
            }
            for screen in 0..<2 {
                let seen = await inbox.states(screen)
                let atStart = try #require(seen.first { $0.revision == started.live.revision })
                let atPause = try #require(seen.first { $0.revision == paused.live.revision })
                #expect(atStart.speakers[0].clock.startedAtMs == started.live.speakers[0].clock.startedAtMs)
                #expect(atPause.speakers[0].clock.pausedAtMs == paused.live.speakers[0].clock.pausedAtMs)
                #expect(atPause.speakers[0].clock.phase == "paused")
            }
            for socket in sockets { try await socket.close() }
            await app.server.shutdown()
        }
    }
}

/// Messages received by test WebSocket clients, per screen.
actor Inbox {
    var messages: [Int: [String]] = [:]

    func add(_ screen: Int, _ text: String) { messages[screen, default: []].append(text) }

    func states(_ screen: Int) -> [LiveStateDTO] {
        (messages[screen] ?? []).compactMap { text in
            guard text.contains(#""type":"state""#) else { return nil }
            return try? JSONDecoder.pingyi.decode(LiveStateDTO.self, from: Data(text.utf8))
        }
    }

    /// Polls until the condition holds, for at most five seconds.
    nonisolated func wait(_ condition: @Sendable (Inbox) async -> Bool) async throws {
        for _ in 0..<100 {
            if await condition(self) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting for live messages")
    }
}

extension Array where Element: Sendable {
    func asyncAllSatisfy(_ predicate: (Element) async -> Bool) async -> Bool {
        for element in self where !(await predicate(element)) { return false }
        return true
    }
}
