import Foundation

/// The clock of one on-site report (会上述职), computed from server timestamps only: every screen that knows the
/// same four facts shows the same time, and a reloaded page needs nothing else.
public struct SpeechClock: Codable, Sendable, Hashable {
    /// The time limit, 8 minutes by default.
    public var limitSeconds: Int
    public var startedAt: Date?
    /// Set while paused.
    public var pausedAt: Date?
    /// Time spent paused before `pausedAt`.
    public var pausedSeconds: Double
    public var endedAt: Date?

    /// The last minute is shown as a warning.
    public static let warningSeconds: Double = 60

    public init(limitSeconds: Int, startedAt: Date? = nil, pausedAt: Date? = nil, pausedSeconds: Double = 0, endedAt: Date? = nil) {
        self.limitSeconds = limitSeconds
        self.startedAt = startedAt
        self.pausedAt = pausedAt
        self.pausedSeconds = pausedSeconds
        self.endedAt = endedAt
    }

    public enum Phase: String, Codable, Sendable, Hashable {
        case notStarted = "not_started"
        case running
        /// Running with a minute or less left.
        case warning
        /// Running past the limit.
        case overtime
        case paused
        case finished
    }

    public enum Action: String, Codable, Sendable, CaseIterable {
        case start, pause, resume, end
    }

    public enum ClockError: Error, Hashable, Sendable {
        case notAllowed(Action, Phase)

        public var message: String {
            switch self {
            case .notAllowed(let action, let phase):
                let verb = ["start": "开始", "pause": "暂停", "resume": "继续", "end": "结束"][action.rawValue]!
                let state = ["not_started": "尚未开始", "running": "正在计时", "warning": "正在计时", "overtime": "已超时",
                             "paused": "已暂停", "finished": "已结束"][phase.rawValue]!
                return "发言\(state)，不能\(verb)"
            }
        }
    }

    /// Speaking time so far: wall time since the start, less every pause, frozen while paused and after the end.
    public func elapsed(at now: Date) -> Double {
        guard let startedAt else { return 0 }
        let until = endedAt ?? pausedAt ?? now
        return max(0, until.timeIntervalSince(startedAt) - pausedSeconds)
    }

    /// Whole seconds spoken, once the speech has ended; `nil` before.
    public var spokenSeconds: Int? {
        guard let endedAt else { return nil }
        return Int(elapsed(at: endedAt).rounded())
    }

    /// Seconds left; negative in overtime.
    public func remaining(at now: Date) -> Double { Double(limitSeconds) - elapsed(at: now) }

    public func phase(at now: Date) -> Phase {
        if startedAt == nil { return .notStarted }
        if endedAt != nil { return .finished }
        if pausedAt != nil { return .paused }
        let left = remaining(at: now)
        if left < 0 { return .overtime }
        if left <= Self.warningSeconds { return .warning }
        return .running
    }

    /// The clock after the chair's action at `now`, or why the action is not possible now.
    public func applying(_ action: Action, at now: Date) throws(ClockError) -> SpeechClock {
        var next = self
        let phase = phase(at: now)
        switch (action, phase) {
        case (.start, .notStarted):
            next.startedAt = now
        case (.pause, .running), (.pause, .warning), (.pause, .overtime):
            next.pausedAt = now
        case (.resume, .paused):
            next.pausedSeconds += max(0, now.timeIntervalSince(pausedAt!))
            next.pausedAt = nil
        case (.end, .running), (.end, .warning), (.end, .overtime), (.end, .paused):
            if let pausedAt {
                next.pausedSeconds += max(0, now.timeIntervalSince(pausedAt))
                next.pausedAt = nil
            }
            next.endedAt = now
        default:
            throw .notAllowed(action, phase)
        }
        return next
    }

    /// "07:59", or "+01:05" in overtime, rounded so that a running clock changes on whole seconds.
    public static func format(remaining: Double) -> String {
        let overtime = remaining < 0
        let seconds = overtime ? Int((-remaining).rounded(.down)) : Int(remaining.rounded(.up))
        let text = String(format: "%02d:%02d", seconds / 60, seconds % 60)
        return overtime ? "+" + text : text
    }
}

/// 会议议程: the seed's three items by default.
public struct AgendaItem: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// 会上述职
        case reports
        /// 民主评议
        case evaluation
        /// 主持人小结
        case summary
        case other
    }

    public var title: String
    public var kind: Kind

    public init(title: String, kind: Kind) {
        self.title = title
        self.kind = kind
    }

    public static let seedAgenda: [AgendaItem] = [
        AgendaItem(title: "会上述职", kind: .reports),
        AgendaItem(title: "民主评议", kind: .evaluation),
        AgendaItem(title: "主持人小结", kind: .summary),
    ]
}

/// 签到统计 and the quorum: more than half of the attendees present.
public struct Attendance: Codable, Sendable, Hashable {
    public struct Group: Codable, Sendable, Hashable {
        public var name: String
        public var expected: Int
        public var present: Int

        public init(name: String, expected: Int, present: Int) {
            self.name = name
            self.expected = expected
            self.present = present
        }
    }

    public var groups: [Group]
    public var observersPresent: Int
    public var observersExpected: Int
    public var guestsPresent: Int
    public var guestsExpected: Int

    public init(groups: [Group], observersPresent: Int, observersExpected: Int, guestsPresent: Int, guestsExpected: Int) {
        self.groups = groups
        self.observersPresent = observersPresent
        self.observersExpected = observersExpected
        self.guestsPresent = guestsPresent
        self.guestsExpected = guestsExpected
    }

    public var attendeesExpected: Int { groups.reduce(0) { $0 + $1.expected } }
    public var attendeesPresent: Int { groups.reduce(0) { $0 + $1.present } }
    /// 过半数: strictly more than half of the expected attendees.
    public var hasQuorum: Bool { attendeesExpected > 0 && attendeesPresent * 2 > attendeesExpected }
    /// How many more attendees are needed for a quorum.
    public var shortOfQuorum: Int { hasQuorum ? 0 : attendeesExpected / 2 + 1 - attendeesPresent }
}
