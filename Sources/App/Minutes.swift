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

    var title: String
    var year: Int
    var meetingDate: Date?
    var meetingDateText: String
    var agenda: [AgendaItem]
    var attendance: AttendanceDTO
    var guestUnits: [String]
    var speakers: [SpeakerLine]
    var writtenReportees: [String]
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
        writtenReportees: reportees.filter { $0.mode == .written }.map { "\($0.unitName) \($0.name)" })
}
