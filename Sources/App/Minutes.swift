import Fluent
import Foundation
import PingyiCore
import Vapor

/// 会议纪要: generated from what the meeting recorded.
struct MinutesDTO: Content {
    struct SpeakerLine: Content {
        var reporteeID: UUID
        var position: Int
        var name: String
        var unitName: String
        var title: String
        var limitSeconds: Int
        var limitText: String
        var durationSeconds: Int?
        var durationText: String
        var overtime: Bool
        var comment: String?
        var commentSkipped: Bool
    }

    /// 民主评议: one line per ballot round — issued and returned, and from the count on valid and void with the
    /// round's verdict — with each rater group's codes issued, phone ballots returned and paper sets issued. Counts the
    /// console and the projector already show; nothing per voter, nothing from a ballot's content.
    struct RoundLine: Content {
        var number: Int
        var stateLabel: String
        var issued: Int
        var returned: Int
        var valid: Int?
        var void: Int?
        var verdictLabel: String?
        var groups: [LiveGroupProgressDTO]
    }

    var title: String
    var year: Int
    var meetingDate: Date?
    var meetingDateText: String
    var agenda: [AgendaItem]
    var attendance: AttendanceDTO
    var guestUnits: [String]
    var speakers: [SpeakerLine]
    var writtenReportees: [String]
    var rounds: [RoundLine]
}

func minutesOf(_ campaign: Campaign, on db: any Database) async throws -> MinutesDTO {
    let id = try campaign.requireID()
    let meeting = try await Meeting.query(on: db).filter(\.$campaign.$id == id).first()
    let reportees = try await Reportee.query(on: db).filter(\.$campaign.$id == id).sort(\.$position).all()
    let speeches = try await Speech.query(on: db).filter(\.$campaignID == id).all()
    let guests = try await Participant.query(on: db).filter(\.$campaign.$id == id).filter(\.$role == .guest).all()
    let now = Date()
    let speakers = reportees.filter { $0.mode == .onsite }.map { reportee -> MinutesDTO.SpeakerLine in
        let (speech, clock) = reportee.speech(in: speeches)
        let duration = clock.spokenSeconds
        return MinutesDTO.SpeakerLine(
            reporteeID: reportee.id!, position: reportee.position, name: reportee.name, unitName: reportee.unitName, title: reportee.title,
            limitSeconds: clock.limitSeconds,
            limitText: clock.limitSeconds % 60 == 0 ? "\(clock.limitSeconds / 60) 分钟" : formatDuration(Double(clock.limitSeconds)),
            durationSeconds: duration,
            durationText: duration.map { formatDuration(Double($0)) } ?? (clock.startedAt == nil ? "未发言" : "进行中"),
            overtime: clock.endedAt != nil && clock.elapsed(at: now) > Double(clock.limitSeconds), comment: speech?.comment, commentSkipped: speech?.commentSkipped ?? false)
    }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "zh_CN")
    formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
    formatter.dateFormat = "yyyy年M月d日 HH:mm"
    return MinutesDTO(
        title: campaign.title, year: campaign.year, meetingDate: meeting?.startedAt,
        meetingDateText: meeting?.startedAt.map { formatter.string(from: $0) } ?? "会议尚未开始",
        agenda: meeting?.agenda ?? AgendaItem.seedAgenda,
        attendance: AttendanceDTO(try await attendanceOf(campaign, on: db)),
        guestUnits: Array(Set(guests.filter { $0.checkedInAt != nil }.map(\.unitName))).sorted(),
        speakers: speakers,
        writtenReportees: reportees.filter { $0.mode == .written }.map { "\($0.unitName) \($0.name)" },
        rounds: try await minutesRounds(of: id, on: db))
}

/// The minutes' 民主评议 lines, round by round (see `MinutesDTO.RoundLine`).
private func minutesRounds(of campaignID: UUID, on db: any Database) async throws -> [MinutesDTO.RoundLine] {
    var lines: [MinutesDTO.RoundLine] = []
    for round in try await BallotRound.query(on: db).filter(\.$campaign.$id == campaignID).sort(\.$number).all() {
        let summary = try await roundDTO(round, on: db)
        lines.append(MinutesDTO.RoundLine(
            number: round.number, stateLabel: round.state.label, issued: summary.issued, returned: summary.received,
            valid: summary.reconciliation?.valid, void: summary.reconciliation?.void, verdictLabel: summary.reconciliation?.verdictLabel,
            groups: try await groupProgress(round, on: db)))
    }
    return lines
}
