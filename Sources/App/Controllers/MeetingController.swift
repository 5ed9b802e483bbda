import Fluent
import PingyiCore
import SQLKit
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
        let actor = try await req.actor()
        let campaign = try await findCampaign(req.parameters.get("campaignID"), for: actor, .checkIn, on: req.db)
        let meeting = try await meetingOf(campaign, on: req.db)
        return try await meetingDTO(campaign, meeting, canChair: canChair(actor), voteURL: publicBaseURL(req) + "/v", on: req.db)
    }

    @Sendable
    func replaceAgenda(req: Request) async throws -> MeetingDTO {
        let (actor, campaign, meeting) = try await chairing(req, rehearsal: true)
        let inputs = try req.content.decode([AgendaInput].self)
        guard (1...12).contains(inputs.count) else { throw APIError(.unprocessableEntity, "invalid", "议程应有 1 到 12 项") }
        let agenda = try inputs.map { input -> AgendaItem in
            guard let kind = AgendaItem.Kind(rawValue: input.kind) else {
                throw APIError(.unprocessableEntity, "invalid", "议程类型应为 reports、evaluation、summary 或 other")
            }
            return AgendaItem(title: try requireText(input.title, "议程名称", max: 50), kind: kind)
        }
        let before = meeting.agenda
        meeting.agenda = agenda
        meeting.currentItem = min(meeting.currentItem, agenda.count - 1)
        return try await commit(req, actor, campaign, meeting, action: "meeting.agenda", summary: "修改会议议程",
                                before: before, after: agenda)
    }

    @Sendable
    func setCurrentItem(req: Request) async throws -> MeetingDTO {
        let (actor, campaign, meeting) = try await chairing(req, rehearsal: true)
        let body = try req.content.decode(CurrentItemRequest.self)
        guard meeting.agenda.indices.contains(body.index) else { throw APIError(.unprocessableEntity, "invalid", "没有这一项议程") }
        // The chair's message belongs to the item it was shown for.
        if meeting.currentItem != body.index { meeting.message = "" }
        meeting.currentItem = body.index
        if meeting.startedAt == nil, campaign.status == .meeting { meeting.startedAt = Date() }
        return try await commit(req, actor, campaign, meeting, action: "meeting.current",
                                summary: "进入议程：\(meeting.agenda[body.index].title)")
    }

    @Sendable
    func setMessage(req: Request) async throws -> MeetingDTO {
        let (actor, campaign, meeting) = try await chairing(req, rehearsal: true)
        let body = try req.content.decode(MessageRequest.self)
        meeting.message = try optionalText(body.text, "提示语", max: 80).replacingOccurrences(of: "\n", with: " ")
        return try await commit(req, actor, campaign, meeting, action: "meeting.message",
                                summary: meeting.message.isEmpty ? "清除大屏提示语" : "大屏提示语：\(meeting.message)")
    }

    /// start / pause / resume / end one on-site report.
    @Sendable
    func speechAction(req: Request) async throws -> MeetingDTO {
        let (actor, campaign, meeting) = try await chairing(req)
        guard let action = SpeechClock.Action(rawValue: req.parameters.get("action") ?? "") else {
            throw APIError.notFound("操作")
        }
        let reportee = try await findChild(Reportee.self, req.parameters.get("reporteeID"), in: campaign, "述职对象", on: req.db)
        guard reportee.mode == .onsite else { throw APIError(.unprocessableEntity, "invalid", "\(reportee.name)是书面述职，不在会上发言") }
        let campaignID = try campaign.requireID()
        let now = Date()
        return try await req.db.writeTransaction { db in
            let speeches = try await Speech.query(on: db).filter(\.$campaignID == campaignID).with(\.$reportee).all()
            let reporteeID = try reportee.requireID()
            let speech = speeches.first { $0.$reportee.id == reporteeID }
                ?? Speech(campaignID: campaignID, reporteeID: reporteeID, limitSeconds: reportee.timeLimitSeconds)
            if action == .start {
                if let live = speeches.first(where: { $0.startedAt != nil && $0.endedAt == nil }) {
                    throw APIError.conflict("\(live.reportee.name)正在发言，请先结束")
                }
                if let uncommented = speeches.first(where: { $0.endedAt != nil && !$0.isCommented }) {
                    throw APIError.conflict("请先记录对\(uncommented.reportee.name)的点评，或选择“不点评”")
                }
                speech.limitSeconds = reportee.timeLimitSeconds
                meeting.currentReporteeID = reportee.id
                if let reports = meeting.agenda.firstIndex(where: { $0.kind == .reports }) { meeting.currentItem = reports }
                if meeting.startedAt == nil { meeting.startedAt = now }
            }
            do {
                speech.clock = try speech.clock.applying(action, at: now)
            } catch let error as SpeechClock.ClockError {
                throw APIError.conflict("\(reportee.name)\(error.message)")
            }
            try await speech.save(on: db)
            let verb = ["start": "开始", "pause": "暂停", "resume": "继续", "end": "结束"][action.rawValue]!
            let duration = action == .end ? "（用时 \(formatDuration(speech.clock.elapsed(at: now)))）" : ""
            return try await self.commitInTransaction(req, db, actor, campaign, meeting, action: "speech.\(action.rawValue)",
                                                     summary: "\(verb)述职：\(reportee.name)\(duration)")
        }.broadcasting(req, campaign)
    }

    /// 点评: the chair's comment on a finished speech, or the record that there was none.
    @Sendable
    func comment(req: Request) async throws -> MeetingDTO {
        let (actor, campaign, meeting) = try await chairing(req)
        let reportee = try await findChild(Reportee.self, req.parameters.get("reporteeID"), in: campaign, "述职对象", on: req.db)
        let body = try req.content.decode(CommentRequest.self)
        guard let speech = try await Speech.query(on: req.db).filter(\.$reportee.$id == reportee.requireID()).first(),
              speech.endedAt != nil else {
            throw APIError.conflict("\(reportee.name)的述职结束后才能点评")
        }
        let before = speech.comment
        if body.skip == true {
            speech.comment = nil
            speech.commentSkipped = true
        } else {
            let text = try optionalText(body.text, "点评", max: 2000)
            guard !text.isEmpty else { throw APIError(.unprocessableEntity, "invalid", "请填写点评内容，或选择“不点评”") }
            speech.comment = text
            speech.commentSkipped = false
        }
        return try await req.db.writeTransaction { db in
            try await speech.save(on: db)
            return try await self.commitInTransaction(req, db, actor, campaign, meeting, action: "speech.comment",
                                                     summary: body.skip == true ? "不点评：\(reportee.name)" : "点评：\(reportee.name)",
                                                     before: before, after: speech.comment)
        }.broadcasting(req, campaign)
    }

    @Sendable
    func attendance(req: Request) async throws -> AttendanceDTO {
        let actor = try await req.actor()
        let campaign = try await findCampaign(req.parameters.get("campaignID"), for: actor, .checkIn, on: req.db)
        return AttendanceDTO(try await attendanceOf(campaign, on: req.db))
    }

    /// 签到 by participant id (found by name on the screen) or by the code on the check-in card. Checking in twice is
    /// harmless and says so.
    @Sendable
    func checkIn(req: Request) async throws -> CheckInResultDTO {
        let actor = try await req.actor()
        let campaign = try await findCampaign(req.parameters.get("campaignID"), for: actor, .checkIn, on: req.db)
        try campaign.require({ $0 == .meeting }, "签到（会议开始后才能签到）")
        let body = try req.content.decode(CheckInRequest.self)
        let campaignID = try campaign.requireID()
        var query = Participant.query(on: req.db).filter(\.$campaign.$id == campaignID)
        if let id = body.participantID {
            query = query.filter(\.$id == id)
        } else if let code = body.code.map(normalizedCheckInCode), !code.isEmpty, code.count <= 40 {
            query = query.filter(\.$checkInCode == code)
        } else {
            throw APIError(.unprocessableEntity, "invalid", "请选择参会人员或输入签到码")
        }
        guard let participant = try await query.first() else { throw APIError.notFound(body.code != nil ? "该签到码对应的参会人员" : "参会人员") }
        let already = participant.checkedInAt != nil
        if !already {
            participant.checkedInAt = Date()
            try await req.db.writeTransaction { db in
                try await participant.save(on: db)
                try await recordAudit(on: db, actor: actor, campaignID: campaignID, action: "check_in",
                                      summary: "签到：\(participant.name)（\(participant.role.label)）")
            }
            await LiveScreens.refreshSoon(try campaign.requireID(), app: req.application)
        }
        return CheckInResultDTO(participant: try ParticipantDTO(participant), alreadyCheckedIn: already,
                                attendance: AttendanceDTO(try await attendanceOf(campaign, on: req.db)))
    }

    @Sendable
    func undoCheckIn(req: Request) async throws -> AttendanceDTO {
        let actor = try await req.actor()
        let campaign = try await findCampaign(req.parameters.get("campaignID"), for: actor, .checkIn, on: req.db)
        try campaign.require({ $0 == .meeting }, "签到")
        let participant = try await findChild(Participant.self, req.parameters.get("participantID"), in: campaign, "参会人员", on: req.db)
        guard participant.checkedInAt != nil else { throw APIError.conflict("\(participant.name)尚未签到") }
        participant.checkedInAt = nil
        try await req.db.writeTransaction { db in
            try await participant.save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "check_in.undo", summary: "撤销签到：\(participant.name)")
        }
        await LiveScreens.refresh(try campaign.requireID(), app: req.application)
        return AttendanceDTO(try await attendanceOf(campaign, on: req.db))
    }

    @Sendable
    func minutes(req: Request) async throws -> MinutesDTO {
        let actor = try await req.actor()
        let campaign = try await findCampaign(req.parameters.get("campaignID"), for: actor, .checkIn, on: req.db)
        return try await minutesOf(campaign, on: req.db)
    }

    /// 签到卡: one card per participant with the personal check-in code and its QR, to print and hand out before the
    /// meeting; a USB scanner at the door types the code into the check-in screen.
    @Sendable
    func checkInCards(req: Request) async throws -> [CheckInCardDTO] {
        let actor = try await req.actor()
        let campaign = try await findCampaign(req.parameters.get("campaignID"), for: actor, .checkIn, on: req.db)
        _ = try await meetingOf(campaign, on: req.db)
        let campaignID = try campaign.requireID()
        try await assignCheckInCodes(campaignID: campaignID, on: req.db)
        let groups = try await RaterGroup.query(on: req.db).filter(\.$campaign.$id == campaignID).all()
        let names = Dictionary(groups.map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
        return try await Participant.query(on: req.db).filter(\.$campaign.$id == campaignID).sort(\.$position).all().map { person in
            let code = person.checkInCode ?? ""
            return CheckInCardDTO(name: person.name, unitName: person.unitName, roleLabel: person.role.label,
                                  raterGroup: person.$raterGroup.id.flatMap { names[$0] }, code: code,
                                  qrSVG: (try? QRCode(text: code).svg(title: "签到码")) ?? "")
        }
    }

    /// The projector's state, by its link; no account needed.
    @Sendable
    func liveState(req: Request) async throws -> LiveStateDTO {
        let (campaign, meeting) = try await projected(req)
        return try await liveStateOf(campaign, meeting, on: req.db)
    }

    @Sendable
    func liveSocket(req: Request, socket: WebSocket) async {
        guard let (campaign, meeting) = try? await projected(req), let campaignID = campaign.id else {
            try? await socket.close(code: .policyViolation)
            return
        }
        let hub = req.application.liveHub
        let id = await hub.add(socket, to: campaignID)
        if let state = try? await liveStateOf(campaign, meeting, on: req.db), let text = try? jsonText(state) {
            try? await socket.send(text)
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

    func canChair(_ actor: Actor) -> Bool { actor.isAdmin || actor.role == .chair }

    /// `rehearsal`: also in 筹备 — the agenda, the current item and the message can be set up and tried on the
    /// projector before the meeting (彩排); speeches and comments belong to the meeting itself.
    func chairing(_ req: Request, rehearsal: Bool = false) async throws -> (Actor, Campaign, Meeting) {
        let actor = try await req.actor()
        let campaign = try await findCampaign(req.parameters.get("campaignID"), for: actor, .chair, on: req.db)
        try campaign.require({ $0 == .meeting || (rehearsal && $0 == .preparing) }, "会议进程（请先进入“会议中”阶段）")
        return (actor, campaign, try await meetingOf(campaign, on: req.db))
    }

    func projected(_ req: Request) async throws -> (Campaign, Meeting) {
        guard let token = req.parameters.get("token"), (20...100).contains(token.count),
              let meeting = try await Meeting.query(on: req.db).filter(\.$projectorToken == token).first(),
              let campaign = try await Campaign.find(meeting.$campaign.id, on: req.db)
        else { throw APIError(.notFound, "not_found", "大屏链接无效") }
        return (campaign, meeting)
    }

    func commit(_ req: Request, _ actor: Actor, _ campaign: Campaign, _ meeting: Meeting, action: String, summary: String,
                before: (any Encodable & Sendable)? = nil, after: (any Encodable & Sendable)? = nil) async throws -> MeetingDTO {
        try await req.db.writeTransaction { db in
            try await self.commitInTransaction(req, db, actor, campaign, meeting, action: action, summary: summary, before: before, after: after)
        }.broadcasting(req, campaign)
    }

    func commitInTransaction(_ req: Request, _ db: any Database, _ actor: Actor, _ campaign: Campaign, _ meeting: Meeting,
                             action: String, summary: String, before: (any Encodable)? = nil, after: (any Encodable)? = nil) async throws -> MeetingDTO {
        meeting.revision += 1
        try await meeting.save(on: db)
        try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: action, summary: summary, before: before, after: after)
        return try await meetingDTO(campaign, meeting, canChair: canChair(actor), voteURL: publicBaseURL(req) + "/v", on: db)
    }
}

extension MeetingDTO {
    /// Sends the committed state to every live screen of the campaign, then returns it.
    func broadcasting(_ req: Request, _ campaign: Campaign) async throws -> MeetingDTO {
        await LiveScreens.send(live, campaignID: try campaign.requireID(), app: req.application)
        return self
    }
}

func jsonText(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

/// The campaign's meeting, created on first use with the seed agenda; also gives every participant a check-in code.
func meetingOf(_ campaign: Campaign, on db: any Database) async throws -> Meeting {
    let campaignID = try campaign.requireID()
    if let meeting = try await Meeting.query(on: db).filter(\.$campaign.$id == campaignID).first() { return meeting }
    let meeting = Meeting(campaignID: campaignID)
    do {
        try await db.writeTransaction { db in
            try await meeting.save(on: db)
            try await assignCheckInCodes(campaignID: campaignID, on: db)
        }
    } catch {
        // Two requests raced to create it; the unique campaign_id let one win. Use that one.
        guard let winner = try await Meeting.query(on: db).filter(\.$campaign.$id == campaignID).first() else { throw error }
        return winner
    }
    return meeting
}

/// 8 characters without look-alikes (no 0/O, 1/I/L): easy to type from a card, 40 bits, unique in the campaign.
func assignCheckInCodes(campaignID: UUID, on db: any Database) async throws {
    let participants = try await Participant.query(on: db).filter(\.$campaign.$id == campaignID).all()
    var used = Set(participants.compactMap(\.checkInCode))
    for participant in participants where participant.checkInCode == nil {
        participant.checkInCode = newCheckInCode(avoiding: &used)
        try await participant.save(on: db)
    }
}

/// One more code, unique among the campaign's.
func uniqueCheckInCode(campaignID: UUID, on db: any Database) async throws -> String {
    var used = Set(try await Participant.query(on: db).filter(\.$campaign.$id == campaignID).all().compactMap(\.checkInCode))
    return newCheckInCode(avoiding: &used)
}

private func newCheckInCode(avoiding used: inout Set<String>) -> String {
    let alphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
    var code: String
    repeat { code = String((0..<8).map { _ in alphabet.randomElement()! }) } while used.contains(code)
    used.insert(code)
    return code
}

/// Present / expected per rater group, observers and guests: one grouped query, however many people there are.
func attendanceOf(_ campaign: Campaign, on db: any Database) async throws -> Attendance {
    let id = try campaign.requireID()
    let groups = try await RaterGroup.query(on: db).filter(\.$campaign.$id == id).sort(\.$position).all()
    struct Row: Decodable {
        var role: String
        var rater_group_id: UUID?
        var expected: Int
        var present: Int
    }
    let sql = db as! any SQLDatabase
    let rows = try await sql.raw("""
        SELECT "role", "rater_group_id", COUNT(*) AS "expected", COUNT("checked_in_at") AS "present"
        FROM "participants" WHERE "campaign_id" = \(bind: id) GROUP BY "role", "rater_group_id"
        """).all(decoding: Row.self)
    func total(_ role: ParticipantRole, _ key: KeyPath<Row, Int>) -> Int {
        rows.filter { $0.role == role.rawValue }.reduce(0) { $0 + $1[keyPath: key] }
    }
    return Attendance(
        groups: groups.map { group in
            let row = rows.first { $0.role == ParticipantRole.attendee.rawValue && $0.rater_group_id == group.id }
            return Attendance.Group(name: group.name, expected: row?.expected ?? 0, present: row?.present ?? 0)
        },
        observersPresent: total(.observer, \.present), observersExpected: total(.observer, \.expected),
        guestsPresent: total(.guest, \.present), guestsExpected: total(.guest, \.expected))
}

func liveStateOf(_ campaign: Campaign, _ meeting: Meeting, on db: any Database) async throws -> LiveStateDTO {
    let id = try campaign.requireID()
    let now = Date()
    let onsite = try await Reportee.query(on: db).filter(\.$campaign.$id == id).filter(\.$mode == .onsite).sort(\.$position).all()
    let speeches = try await Speech.query(on: db).filter(\.$campaignID == id).all()
    let speakers = try onsite.map { reportee -> SpeakerDTO in
        let (speech, clock) = reportee.speech(in: speeches)
        return SpeakerDTO(reporteeID: try reportee.requireID(), position: reportee.position, name: reportee.name,
                          unitName: reportee.unitName, title: reportee.title, clock: ClockDTO(clock, now: now),
                          durationSeconds: clock.spokenSeconds,
                          commented: speech?.isCommented ?? false, commentSkipped: speech?.commentSkipped ?? false)
    }
    return LiveStateDTO(
        campaignTitle: campaign.title, status: campaign.status.rawValue, agenda: meeting.agenda, currentItem: meeting.currentItem,
        message: meeting.message, speakers: speakers, currentReporteeID: meeting.currentReporteeID,
        attendance: AttendanceDTO(try await attendanceOf(campaign, on: db)), round: try await liveRound(campaignID: id, on: db),
        revision: meeting.revision, serverTimeMs: epochMs(Date()))
}

func meetingDTO(_ campaign: Campaign, _ meeting: Meeting, canChair: Bool, voteURL: String, on db: any Database) async throws -> MeetingDTO {
    let speeches = try await Speech.query(on: db).filter(\.$campaignID == campaign.requireID()).all()
    var comments: [String: String] = [:]
    for speech in speeches { if let comment = speech.comment { comments[speech.$reportee.id.uuidString] = comment } }
    return MeetingDTO(live: try await liveStateOf(campaign, meeting, on: db), comments: comments,
                      projectorPath: "/p/\(meeting.projectorToken)", canChair: canChair, voteURL: voteURL,
                      voteAddressWarning: PublicAddress.warning(for: voteURL))
}

/// "7分58秒"
func formatDuration(_ seconds: Double) -> String {
    let whole = Int(seconds.rounded())
    return "\(whole / 60)分\(String(format: "%02d", whole % 60))秒"
}

/// A check-in code as typed or scanned: spaces (also full-width), hyphens and case do not matter.
func normalizedCheckInCode(_ raw: String) -> String {
    String(raw.uppercased().unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) && $0 != "-" && $0 != "\u{3000}" })
}
