import Foundation
import PingyiCore
import Vapor

/// A speech clock with times in epoch milliseconds (ISO-8601 in JSON drops the fractions a shared clock needs).
struct ClockDTO: Content {
    var limitSeconds: Int
    var startedAtMs: Double?
    var pausedAtMs: Double?
    var pausedSeconds: Double
    var endedAtMs: Double?
    var phase: String

    init(_ clock: SpeechClock, now: Date) {
        limitSeconds = clock.limitSeconds
        startedAtMs = clock.startedAt.map(epochMs)
        pausedAtMs = clock.pausedAt.map(epochMs)
        pausedSeconds = clock.pausedSeconds
        endedAtMs = clock.endedAt.map(epochMs)
        phase = clock.phase(at: now).rawValue
    }
}

func epochMs(_ date: Date) -> Double { (date.timeIntervalSince1970 * 1000).rounded() }

struct SpeakerDTO: Content {
    var reporteeID: UUID
    var position: Int
    var name: String
    var unitName: String
    var title: String
    var clock: ClockDTO
    /// Whole seconds spoken, once the speech has ended.
    var durationSeconds: Int?
    var commented: Bool
    var commentSkipped: Bool
}

struct AttendanceDTO: Content {
    var attendance: Attendance
    var attendeesPresent: Int
    var attendeesExpected: Int
    var hasQuorum: Bool
    var shortOfQuorum: Int

    init(_ attendance: Attendance) {
        self.attendance = attendance
        attendeesPresent = attendance.attendeesPresent
        attendeesExpected = attendance.attendeesExpected
        hasQuorum = attendance.hasQuorum
        shortOfQuorum = attendance.shortOfQuorum
    }
}

/// What every live screen shows; public through the projector link, so it holds no names of voters and no comments.
struct LiveStateDTO: Content {
    var type = "state"
    var campaignTitle: String
    var status: String
    var agenda: [AgendaItem]
    var currentItem: Int
    var message: String
    /// The on-site reportees in order, with their clocks.
    var speakers: [SpeakerDTO]
    var currentReporteeID: UUID?
    var attendance: AttendanceDTO
    /// The latest ballot round: received vs issued only.
    var round: LiveRoundDTO?
    var revision: Int
    var serverTimeMs: Double
}

/// The chair's console: the live state plus what only the chair sees.
struct MeetingDTO: Content {
    var live: LiveStateDTO
    /// Comments by reportee id.
    var comments: [String: String]
    var projectorPath: String
    var canChair: Bool
    /// The voting page's address as the slips print it and the projector shows it (`publicBaseURL` + "/v").
    var voteURL: String
    /// Present when `voteURL` reaches only this machine (loopback): what to do so phones can reach it.
    var voteAddressWarning: String?
}

struct AgendaInput: Content {
    var title: String
    var kind: String
}

struct CurrentItemRequest: Content {
    var index: Int
}

struct MessageRequest: Content {
    var text: String
}

struct CommentRequest: Content {
    var text: String?
    /// 不点评: recorded as skipped.
    var skip: Bool?
}

struct CheckInRequest: Content {
    var participantID: UUID?
    /// The code on the personal check-in card, typed or scanned.
    var code: String?
}

struct CheckInResultDTO: Content {
    var participant: ParticipantDTO
    var alreadyCheckedIn: Bool
    var attendance: AttendanceDTO
}

struct CheckInCardDTO: Content {
    var name: String
    var unitName: String
    var roleLabel: String
    var raterGroup: String?
    var code: String
    var qrSVG: String
}
