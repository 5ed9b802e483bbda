import Fluent
import PingyiCore
import Vapor

/// The live meeting (会议): chair console, speeches with their clocks and comments, check-in, the projector link.
/// Every change is committed, then broadcast to the campaign's live screens.
struct MeetingController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let campaign = routes.apiV1().grouped("campaigns", ":campaignID")
        campaign.get("meeting", use: meeting).requiring(.staff)
        campaign.put("meeting", "agenda", use: replaceAgenda).requiring(.chair)
        campaign.post("meeting", "current", use: setCurrentItem).requiring(.chair)
        campaign.post("meeting", "message", use: setMessage).requiring(.chair)
        campaign.post("speeches", ":reporteeID", ":action", use: speechAction).requiring(.chair)
        campaign.post("speeches", ":reporteeID", "comment", use: comment).requiring(.chair)
        campaign.get("attendance", use: attendance).requiring(.staff)
        campaign.post("check-in", use: checkIn).requiring(.staff)
        campaign.delete("check-in", ":participantID", use: undoCheckIn).requiring(.staff)
        campaign.get("minutes", use: minutes).requiring(.staff)
        campaign.get("check-in-cards", use: checkInCards).requiring(.staff)
        routes.apiV1().get("live", ":token", use: liveState).requiring(.anyone)
        routes.webSocket("live", ":token", maxFrameSize: WebSocketMaxFrameSize(integerLiteral: 1 << 14), onUpgrade: liveSocket)
    }

    @Sendable
    func meeting(req: Request) async throws -> MeetingDTO {
        let (actor, campaign) = try await req.campaign()
        let meeting = try await meetingOf(campaign, on: req.db)
        return try await LiveState.console(campaign, meeting, for: actor, voteURL: publicBaseURL(req) + "/v", on: req.db)
    }

    @Sendable
    func replaceAgenda(req: Request) async throws -> MeetingDTO {
        let (actor, campaign, meeting) = try await chairing(req, rehearsal: true)
        let inputs = try req.content.decode([AgendaInput].self)
        let changed = try await MeetingFlow.replaceAgenda(inputs, of: campaign, meeting: meeting, by: actor, on: req.db)
        return try await console(req, actor, campaign, changed)
    }

    @Sendable
    func setCurrentItem(req: Request) async throws -> MeetingDTO {
        let (actor, campaign, meeting) = try await chairing(req, rehearsal: true)
        let body = try req.content.decode(CurrentItemRequest.self)
        let changed = try await MeetingFlow.setCurrentItem(body.index, of: campaign, meeting: meeting, by: actor, on: req.db)
        return try await console(req, actor, campaign, changed)
    }

    @Sendable
    func setMessage(req: Request) async throws -> MeetingDTO {
        let (actor, campaign, meeting) = try await chairing(req, rehearsal: true)
        let body = try req.content.decode(MessageRequest.self)
        let changed = try await MeetingFlow.setMessage(body.text, of: campaign, meeting: meeting, by: actor, on: req.db)
        return try await console(req, actor, campaign, changed)
    }

    /// start / pause / resume / end one on-site report.
    @Sendable
    func speechAction(req: Request) async throws -> MeetingDTO {
        let (actor, campaign, meeting) = try await chairing(req)
        guard let action = SpeechClock.Action(rawValue: req.parameters.get("action") ?? "") else {
            throw APIError.notFound("操作")
        }
        let reportee = try await req.child(Reportee.self, "reporteeID", of: campaign, "述职对象")
        let changed = try await MeetingFlow.speech(action, of: reportee, in: campaign, meeting: meeting, by: actor, on: req.db)
        return try await console(req, actor, campaign, changed)
    }

    /// 点评: the chair's comment on a finished speech, or the record that there was none.
    @Sendable
    func comment(req: Request) async throws -> MeetingDTO {
        let (actor, campaign, meeting) = try await chairing(req)
        let reportee = try await req.child(Reportee.self, "reporteeID", of: campaign, "述职对象")
        let body = try req.content.decode(CommentRequest.self)
        let changed = try await MeetingFlow.comment(body.text, skip: body.skip == true, on: reportee, in: campaign, meeting: meeting,
                                                    by: actor, on: req.db)
        return try await console(req, actor, campaign, changed)
    }

    @Sendable
    func attendance(req: Request) async throws -> AttendanceDTO {
        let (actor, campaign) = try await req.campaign()
        return AttendanceDTO(try await attendanceOf(campaign, on: req.db))
    }

    /// 签到 by participant id (found by name on the screen) or by the code on the check-in card. Checking in twice is
    /// harmless and says so.
    @Sendable
    func checkIn(req: Request) async throws -> CheckInResultDTO {
        let (actor, campaign) = try await req.campaign()
        try campaign.require(\.allowsCheckIn, "签到（会议开始后才能签到）")
        let body = try req.content.decode(CheckInRequest.self)
        let (participant, already) = try await MeetingFlow.checkIn(body, in: campaign, by: actor, on: req.db)
        if !already { await LiveScreens.refreshSoon(try campaign.requireID(), app: req.application) }
        return CheckInResultDTO(participant: try ParticipantDTO(participant), alreadyCheckedIn: already,
                                attendance: AttendanceDTO(try await attendanceOf(campaign, on: req.db)))
    }

    @Sendable
    func undoCheckIn(req: Request) async throws -> AttendanceDTO {
        let (actor, campaign) = try await req.campaign()
        try campaign.require(\.allowsCheckIn, "签到")
        let participant = try await req.child(Participant.self, "participantID", of: campaign, "参会人员")
        try await MeetingFlow.undoCheckIn(participant, in: campaign, by: actor, on: req.db)
        await LiveScreens.refresh(try campaign.requireID(), app: req.application)
        return AttendanceDTO(try await attendanceOf(campaign, on: req.db))
    }

    @Sendable
    func minutes(req: Request) async throws -> MinutesDTO {
        let (actor, campaign) = try await req.campaign()
        return try await minutesOf(campaign, on: req.db)
    }

    /// 签到卡: one card per participant with the personal check-in code and its QR, to print and hand out before the
    /// meeting; a USB scanner at the door types the code into the check-in screen.
    @Sendable
    func checkInCards(req: Request) async throws -> [CheckInCardDTO] {
        let (actor, campaign) = try await req.campaign()
        return try await CheckInCards.of(campaign, on: req.db)
    }

    /// The projector's state, by its link; no account needed.
    @Sendable
    func liveState(req: Request) async throws -> LiveStateDTO {
        let (campaign, meeting) = try await LiveState.projected(token: req.parameters.get("token"), on: req.db)
        return try await liveStateOf(campaign, meeting, on: req.db)
    }

    @Sendable
    func liveSocket(req: Request, socket: WebSocket) async {
        guard let (campaign, meeting) = try? await LiveState.projected(token: req.parameters.get("token"), on: req.db),
              let campaignID = campaign.id else {
            try? await socket.close(code: .policyViolation)
            return
        }
        let hub = req.application.liveHub
        let id = await hub.add(socket, to: campaignID)
        // Read whole and kept, so the meeting's first ballots re-read only counts (`LiveSnapshot`).
        if let snapshot = try? await LiveSnapshot.read(LiveCampaign(campaign), meeting, on: req.db) {
            await hub.keep(snapshot, of: campaignID)
            if let text = try? jsonText(snapshot.state) { try? await socket.send(text) }
        }
        // A heartbeat with the server's time keeps proxies from closing the socket and screens' clocks in step.
        let tick = socket.eventLoop.scheduleRepeatedTask(initialDelay: .seconds(5), delay: .seconds(5)) { _ in
            socket.send(#"{"type":"tick","serverTimeMs":\#(epochMs(Date()))}"#)
        }
        socket.onClose.whenComplete { _ in
            tick.cancel()
            Task { await hub.remove(id, from: campaignID) }
        }
    }

    // MARK: - helpers

    /// `rehearsal`: also in 筹备 — the agenda, the current item and the message can be set up and tried on the
    /// projector before the meeting (彩排); speeches and comments belong to the meeting itself.
    func chairing(_ req: Request, rehearsal: Bool = false) async throws -> (Actor, Campaign, Meeting) {
        let (actor, campaign) = try await req.campaign()
        try campaign.require({ $0.allowsVoting || (rehearsal && $0.allowsRehearsal) }, "会议进程（请先进入“会议中”阶段）")
        return (actor, campaign, try await meetingOf(campaign, on: req.db))
    }

    /// The console after a change, sent to every live screen of the campaign first.
    func console(_ req: Request, _ actor: Actor, _ campaign: Campaign, _ meeting: Meeting) async throws -> MeetingDTO {
        try await LiveState.console(campaign, meeting, for: actor, voteURL: publicBaseURL(req) + "/v", on: req.db)
            .broadcasting(req, campaign)
    }
}
