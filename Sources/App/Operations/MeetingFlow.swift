import Fluent
import Foundation
import PingyiCore

/// 会议进程: what the chair and the door staff change during the meeting. Each operation opens its own write
/// transaction, bumps the meeting's revision (so live screens know a newer state) and writes its audit entry; the
/// rules (one speaker at a time, a comment before the next one) are `MeetingRules` in PingyiCore. The caller sends the
/// new state to the live screens (`LiveScreens`).
enum MeetingFlow {
    /// Replaces the agenda (1–12 items); the current item stays where it was, or moves to the new last one.
    static func replaceAgenda(_ inputs: [AgendaInput], of campaign: Campaign, meeting: Meeting, by actor: Actor,
                              on db: any Database) async throws -> Meeting {
        let kinds = try MeetingRules.agendaKinds(inputs.map(\.kind))
        let agenda = try zip(inputs, kinds).map { input, kind in
            AgendaItem(title: try requireText(input.title, "议程名称", max: 50), kind: kind)
        }
        let before = meeting.agenda
        meeting.agenda = agenda
        meeting.currentItem = min(meeting.currentItem, agenda.count - 1)
        return try await commit(meeting, of: campaign, by: actor, action: "meeting.agenda", summary: "修改会议议程",
                                before: before, after: agenda, on: db)
    }

    /// Moves the meeting to an agenda item; the first move in 会议中 starts the meeting's clock.
    static func setCurrentItem(_ index: Int, of campaign: Campaign, meeting: Meeting, by actor: Actor,
                               on db: any Database) async throws -> Meeting {
        try MeetingRules.checkItem(index, of: meeting.agenda)
        // The chair's message belongs to the item it was shown for.
        if meeting.currentItem != index { meeting.message = "" }
        meeting.currentItem = index
        if meeting.startedAt == nil, campaign.status == .meeting { meeting.startedAt = Date() }
        return try await commit(meeting, of: campaign, by: actor, action: "meeting.current",
                                summary: "进入议程：\(meeting.agenda[index].title)", on: db)
    }

    /// The projector's one-line message (提示语); empty clears it.
    static func setMessage(_ text: String, of campaign: Campaign, meeting: Meeting, by actor: Actor,
                           on db: any Database) async throws -> Meeting {
        meeting.message = try optionalText(text, "提示语", max: 80).replacingOccurrences(of: "\n", with: " ")
        return try await commit(meeting, of: campaign, by: actor, action: "meeting.message",
                                summary: meeting.message.isEmpty ? "清除大屏提示语" : "大屏提示语：\(meeting.message)", on: db)
    }

    /// start / pause / resume / end one on-site report. Starting needs nobody else speaking and every finished report
    /// commented on; it moves the meeting to the reports item.
    static func speech(_ action: SpeechClock.Action, of reportee: Reportee, in campaign: Campaign, meeting: Meeting,
                       by actor: Actor, on db: any Database) async throws -> Meeting {
        try MeetingRules.checkOnSite(reportee.name, onsite: reportee.mode == .onsite)
        let campaignID = try campaign.requireID()
        let now = Date()
        return try await db.writeTransaction { db in
            let speeches = try await Speech.query(on: db).filter(\.$campaignID == campaignID).with(\.$reportee).all()
            let reporteeID = try reportee.requireID()
            let speech = speeches.first { $0.$reportee.id == reporteeID }
                ?? Speech(campaignID: campaignID, reporteeID: reporteeID, limitSeconds: reportee.timeLimitSeconds)
            if action == .start {
                try MeetingRules.checkCanStart(speeches.map {
                    MeetingRules.SpeechFacts(speaker: $0.reportee.name, started: $0.startedAt != nil, ended: $0.endedAt != nil,
                                             commented: $0.isCommented)
                })
                speech.limitSeconds = reportee.timeLimitSeconds
                meeting.currentReporteeID = reportee.id
                if let reports = meeting.agenda.firstIndex(where: { $0.kind == .reports }) { meeting.currentItem = reports }
                if meeting.startedAt == nil { meeting.startedAt = now }
            }
            speech.clock = try MeetingRules.clock(speech.clock, of: reportee.name, applying: action, at: now)
            try await speech.save(on: db)
            let duration = action == .end ? "（用时 \(formatDuration(speech.clock.elapsed(at: now)))）" : ""
            return try await commit(meeting, of: campaign, by: actor, action: "speech.\(action.rawValue)",
                                    summary: "\(MeetingRules.verb(action))述职：\(reportee.name)\(duration)", on: db)
        }
    }

    /// 点评: the chair's comment on a finished report, or (`skip`) the record that there was none.
    static func comment(_ text: String?, skip: Bool, on reportee: Reportee, in campaign: Campaign, meeting: Meeting,
                        by actor: Actor, on db: any Database) async throws -> Meeting {
        let speech = try await Speech.query(on: db).filter(\.$reportee.$id == reportee.requireID()).first()
        try MeetingRules.checkCanComment(reportee.name, ended: speech?.endedAt != nil)
        guard let speech else { throw MeetingFlowError.notFinished(reportee.name) }
        let before = speech.comment
        if skip {
            speech.comment = nil
            speech.commentSkipped = true
        } else {
            let text = try optionalText(text, "点评", max: 2000)
            guard !text.isEmpty else { throw MeetingFlowError.commentEmpty }
            speech.comment = text
            speech.commentSkipped = false
        }
        return try await db.writeTransaction { db in
            try await speech.save(on: db)
            return try await commit(meeting, of: campaign, by: actor, action: "speech.comment",
                                    summary: skip ? "不点评：\(reportee.name)" : "点评：\(reportee.name)",
                                    before: before, after: speech.comment, on: db)
        }
    }

    /// 签到 by participant id (found by name on the screen) or by the code on the check-in card. Checking in twice is
    /// harmless and says so (`alreadyCheckedIn`).
    static func checkIn(_ request: CheckInRequest, in campaign: Campaign, by actor: Actor,
                        on db: any Database) async throws -> (participant: Participant, alreadyCheckedIn: Bool) {
        let campaignID = try campaign.requireID()
        var query = Participant.query(on: db).filter(\.$campaign.$id == campaignID)
        if let id = request.participantID {
            query = query.filter(\.$id == id)
        } else if let code = request.code.flatMap(CheckInCode.lookupKey) {
            query = query.filter(\.$checkInCode == code)
        } else {
            throw APIError(.unprocessableEntity, "invalid", "请选择参会人员或输入签到码")
        }
        guard let participant = try await query.first() else { throw APIError.notFound(request.code != nil ? "该签到码对应的参会人员" : "参会人员") }
        let already = participant.checkedInAt != nil
        if !already {
            participant.checkedInAt = Date()
            try await db.writeTransaction { db in
                try await participant.save(on: db)
                try await recordAudit(on: db, actor: actor, campaignID: campaignID, action: "check_in",
                                      summary: "签到：\(participant.name)（\(participant.role.label)）")
            }
        }
        return (participant, already)
    }

    /// 撤销签到: for someone checked in by mistake.
    static func undoCheckIn(_ participant: Participant, in campaign: Campaign, by actor: Actor, on db: any Database) async throws {
        guard participant.checkedInAt != nil else { throw APIError.conflict("\(participant.name)尚未签到") }
        participant.checkedInAt = nil
        try await db.writeTransaction { db in
            try await participant.save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "check_in.undo", summary: "撤销签到：\(participant.name)")
        }
    }

    /// Saves the meeting with a new revision and the audit entry, in the caller's transaction or a new one.
    static func commit(_ meeting: Meeting, of campaign: Campaign, by actor: Actor, action: String, summary: String,
                       before: (any Encodable & Sendable)? = nil, after: (any Encodable & Sendable)? = nil,
                       on db: any Database) async throws -> Meeting {
        try await db.writeTransaction { db in
            meeting.revision += 1
            try await meeting.save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: action, summary: summary, before: before, after: after)
            return meeting
        }
    }
}

/// The campaign's meeting (会议), created with the campaign (`insertCampaign`, the demo, migration `AddMissingMeetings`).
func meetingOf(_ campaign: Campaign, on db: any Database) async throws -> Meeting {
    try await meetingOf(campaignID: campaign.requireID(), on: db)
}

func meetingOf(campaignID: UUID, on db: any Database) async throws -> Meeting {
    guard let meeting = try await Meeting.query(on: db).filter(\.$campaign.$id == campaignID).first() else {
        throw APIError.notFound("会议")
    }
    return meeting
}

/// Gives every participant of the campaign without a check-in code (`CheckInCode`) one, unique in the campaign.
func assignCheckInCodes(campaignID: UUID, on db: any Database) async throws {
    let participants = try await Participant.query(on: db).filter(\.$campaign.$id == campaignID).all()
    var used = Set(participants.compactMap(\.checkInCode))
    for participant in participants where participant.checkInCode == nil {
        participant.checkInCode = CheckInCode.generate(avoiding: &used)
        try await participant.save(on: db)
    }
}

/// One more check-in code, unique among the campaign's.
func uniqueCheckInCode(campaignID: UUID, on db: any Database) async throws -> String {
    var used = try await checkInCodesInUse(campaignID: campaignID, on: db)
    return CheckInCode.generate(avoiding: &used)
}

/// The check-in codes the campaign's participants already hold.
func checkInCodesInUse(campaignID: UUID, on db: any Database) async throws -> Set<String> {
    Set(try await Participant.query(on: db).filter(\.$campaign.$id == campaignID).all().compactMap(\.checkInCode))
}

/// "7分58秒"
func formatDuration(_ seconds: Double) -> String {
    let whole = Int(seconds.rounded())
    return "\(whole / 60)分\(String(format: "%02d", whole % 60))秒"
}
