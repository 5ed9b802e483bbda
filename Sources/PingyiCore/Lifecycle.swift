import Foundation

/// 活动状态: 筹备 → 会议中 → 计票 → 已发布 → 归档.
public enum CampaignPhase: String, Codable, CaseIterable, Sendable {
    case preparing, meeting, counting, published, archived

    public var label: String {
        switch self {
        case .preparing: "筹备"
        case .meeting: "会议中"
        case .counting: "计票"
        case .published: "已发布"
        case .archived: "归档"
        }
    }

    /// Forms, rules, rater groups and reportees change only while preparing: once the meeting starts, ballots may
    /// exist, and a ballot must be counted under the forms and rules it was cast on.
    public var allowsSetupChanges: Bool { self == .preparing }

    /// Participants can still be added at the door (签到) during the meeting.
    public var allowsParticipantChanges: Bool { self == .preparing || self == .meeting }

    /// Written reports can be uploaded or replaced until the ballot is counted.
    public var allowsReportChanges: Bool { self == .preparing || self == .meeting }

    /// An archived campaign is read-only in every respect.
    public var isReadOnly: Bool { self == .archived }

    /// The one step forward, if any.
    public var next: CampaignPhase? {
        switch self {
        case .preparing: .meeting
        case .meeting: .counting
        case .counting: .published
        case .published: .archived
        case .archived: nil
        }
    }

    /// Checks a change of phase. Forward one step at a time; back from 会议中 to 筹备 only while no ballot exists.
    public func transition(to target: CampaignPhase, hasBallots: Bool) throws(LifecycleError) {
        if target == next { return }
        if self == .meeting, target == .preparing {
            if hasBallots { throw .ballotsExist }
            return
        }
        throw .illegal(from: self, to: target)
    }
}

public enum LifecycleError: Error, Hashable, Sendable {
    case illegal(from: CampaignPhase, to: CampaignPhase)
    case ballotsExist
    case locked(CampaignPhase, what: String)

    public var message: String {
        switch self {
        case .illegal(let from, let to): "活动状态不能从“\(from.label)”变为“\(to.label)”"
        case .ballotsExist: "已有选票，不能退回筹备状态"
        case .locked(let phase, let what): "活动处于“\(phase.label)”状态，不能修改\(what)"
        }
    }
}
