import Foundation

/// The order of a meeting's on-site reports (会上述职): one speaker at a time, and the chair records a comment (点评,
/// or that there is none) on a finished report before the next one starts. Pure: the caller reads the speeches and
/// stores what changes.
public enum MeetingRules {
    /// An agenda holds 1 to 12 items.
    public static let agendaSizes = 1...12

    /// What the rules need to know of one speech.
    public struct SpeechFacts: Sendable, Hashable {
        public var speaker: String
        public var started: Bool
        public var ended: Bool
        /// A comment recorded, or recorded as skipped (不点评).
        public var commented: Bool

        public init(speaker: String, started: Bool, ended: Bool, commented: Bool) {
            self.speaker = speaker
            self.started = started
            self.ended = ended
            self.commented = commented
        }
    }

    /// Refuses to start a report while another runs, or while a finished one waits for its comment.
    public static func checkCanStart(_ speeches: [SpeechFacts]) throws(MeetingFlowError) {
        if let live = speeches.first(where: { $0.started && !$0.ended }) { throw .someoneSpeaking(live.speaker) }
        if let uncommented = speeches.first(where: { $0.ended && !$0.commented }) { throw .commentMissing(uncommented.speaker) }
    }

    /// The speaker's clock after `action`, or why it cannot happen now.
    public static func clock(_ clock: SpeechClock, of speaker: String, applying action: SpeechClock.Action,
                             at now: Date) throws(MeetingFlowError) -> SpeechClock {
        do {
            return try clock.applying(action, at: now)
        } catch {
            throw .clock(speaker, error)
        }
    }

    /// A written report (书面述职) is not given at the meeting.
    public static func checkOnSite(_ speaker: String, onsite: Bool) throws(MeetingFlowError) {
        if !onsite { throw .writtenReport(speaker) }
    }

    /// A comment belongs to a finished report.
    public static func checkCanComment(_ speaker: String, ended: Bool) throws(MeetingFlowError) {
        if !ended { throw .notFinished(speaker) }
    }

    /// The agenda's size, and each item's kind from its code.
    public static func agendaKinds(_ codes: [String]) throws(MeetingFlowError) -> [AgendaItem.Kind] {
        guard agendaSizes.contains(codes.count) else { throw .agendaSize }
        var kinds: [AgendaItem.Kind] = []
        for code in codes {
            guard let kind = AgendaItem.Kind(rawValue: code) else { throw .agendaKind }
            kinds.append(kind)
        }
        return kinds
    }

    /// The item the chair moves to must be on the agenda.
    public static func checkItem(_ index: Int, of agenda: [AgendaItem]) throws(MeetingFlowError) {
        if !agenda.indices.contains(index) { throw .noSuchItem }
    }

    /// "开始", "暂停", "继续", "结束": the word the minutes and the audit use for an action.
    public static func verb(_ action: SpeechClock.Action) -> String {
        switch action {
        case .start: "开始"
        case .pause: "暂停"
        case .resume: "继续"
        case .end: "结束"
        }
    }
}

public enum MeetingFlowError: Error, Hashable, Sendable {
    /// Someone else is speaking.
    case someoneSpeaking(String)
    /// A finished report has no comment yet.
    case commentMissing(String)
    /// The speaker's clock does not allow the action.
    case clock(String, SpeechClock.ClockError)
    /// A comment before the report ended.
    case notFinished(String)
    /// The speaker reports in writing.
    case writtenReport(String)
    /// Neither a comment nor 不点评.
    case commentEmpty
    case agendaSize
    case agendaKind
    case noSuchItem

    /// Wrong moment (409) rather than wrong input (422).
    public var isStateConflict: Bool {
        switch self {
        case .someoneSpeaking, .commentMissing, .clock, .notFinished: true
        case .writtenReport, .commentEmpty, .agendaSize, .agendaKind, .noSuchItem: false
        }
    }

    public var message: String {
        switch self {
        case .someoneSpeaking(let name): "\(name)正在发言，请先结束"
        case .commentMissing(let name): "请先记录对\(name)的点评，或选择“不点评”"
        case .clock(let name, let error): "\(name)\(error.message)"
        case .notFinished(let name): "\(name)的述职结束后才能点评"
        case .writtenReport(let name): "\(name)是书面述职，不在会上发言"
        case .commentEmpty: "请填写点评内容，或选择“不点评”"
        case .agendaSize: "议程应有 1 到 12 项"
        case .agendaKind: "议程类型应为 reports、evaluation、summary 或 other"
        case .noSuchItem: "没有这一项议程"
        }
    }
}
