import Foundation

/// 活动状态: 筹备 → 会议中 → 已发布 → 归档. A count belongs to a ballot round, not to the campaign: 计票 (`counting`)
/// is kept only so that campaigns stored in it still read and publish; no campaign enters it any more.
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

    /// A secretary's account can be linked to their 述职对象 whenever the campaign is not archived: it changes no
    /// ballot, and after publication it is what lets them read their own sheet and ledger items.
    public var allowsAccountLinks: Bool { self != .archived }

    /// An archived campaign is read-only in every respect.
    public var isReadOnly: Bool { self == .archived }

    /// Ballots are cast, rounds opened, and people checked in only while the meeting runs.
    public var allowsVoting: Bool { self == .meeting }

    /// 签到 at the door: only while the meeting runs.
    public var allowsCheckIn: Bool { self == .meeting }

    /// The console can be rehearsed (agenda, speeches, projector) before the meeting starts.
    public var allowsRehearsal: Bool { self == .preparing }

    /// Rounds, a tally and minutes can exist once the meeting has started (set-up is frozen from then on).
    public var mayHoldRounds: Bool { self != .preparing }

    /// A campaign is deleted only while it is being prepared (and never opened a round, which the box checks).
    public var allowsDeletion: Bool { self == .preparing }

    /// The steps the set-up page offers from here: forward (to publication only by publishing results, on the results
    /// page) and back to 筹备 from the meeting. `transition(to:box:)` still decides with the box's facts.
    public var offeredSteps: [CampaignPhase] {
        var steps = next.map { $0 == .published ? [] : [$0] } ?? []
        if self == .meeting { steps.append(.preparing) }
        return steps
    }

    /// The one step forward, if any. From the meeting it is publication (公示 of a counted round).
    public var next: CampaignPhase? {
        switch self {
        case .preparing: .meeting
        case .meeting: .published
        case .counting: .published
        case .published: .archived
        case .archived: nil
        }
    }

    /// Rounds may be sealed and counted (and a void round repeated) only while the meeting or its count runs: after
    /// publication nothing may change what was published.
    public var allowsRoundWork: Bool { self == .meeting || self == .counting }

    /// Checks a change of phase against what the ballot box holds. Forward one step at a time; back from 会议中 to
    /// 筹备 only while no round was ever opened (a round's layout froze the forms and reportees, and its codes or
    /// ballots must never be orphaned); to 已发布 only with a counted round and none still open or sealed.
    public func transition(to target: CampaignPhase, box: BallotBoxFacts) throws(LifecycleError) {
        if self == .meeting, target == .preparing {
            if box.hasRounds { throw .ballotsExist }
            return
        }
        guard target == next else { throw .illegal(from: self, to: target) }
        if target == .published { try box.checkPublishable() }
    }
}

/// What the lifecycle needs to know of a campaign's ballot rounds.
public struct BallotBoxFacts: Sendable, Hashable {
    /// Any round was ever opened (its codes or ballots exist).
    public var hasRounds: Bool
    /// A round is open or sealed, not yet counted.
    public var hasUnfinishedRound: Bool
    /// A round was counted and is not void: there are results to publish.
    public var hasCountedRound: Bool

    public init(hasRounds: Bool, hasUnfinishedRound: Bool, hasCountedRound: Bool) {
        self.hasRounds = hasRounds
        self.hasUnfinishedRound = hasUnfinishedRound
        self.hasCountedRound = hasCountedRound
    }

    public static let empty = BallotBoxFacts(hasRounds: false, hasUnfinishedRound: false, hasCountedRound: false)

    /// A new round opens only when no round is open or sealed and none was validly counted: repeating is for a void
    /// round, never a way to add a round to a valid count (a padded second round could expose one voter).
    public func checkNewRound() throws(LifecycleError) {
        if hasUnfinishedRound { throw .previousRoundUnfinished }
        if hasCountedRound { throw .alreadyCounted }
    }

    /// Results can be published only from a counted round, and never while ballots may still arrive or be counted.
    public func checkPublishable() throws(LifecycleError) {
        if hasUnfinishedRound { throw .roundUnfinished }
        if !hasCountedRound { throw .nothingCounted }
    }
}

public enum LifecycleError: Error, Hashable, Sendable {
    case illegal(from: CampaignPhase, to: CampaignPhase)
    case ballotsExist
    case roundUnfinished
    case nothingCounted
    case locked(CampaignPhase, what: String)
    case previousRoundUnfinished
    case alreadyCounted

    public var message: String {
        switch self {
        case .illegal(let from, let to): "活动状态不能从“\(from.label)”变为“\(to.label)”"
        case .ballotsExist: "已开启过投票，不能退回筹备状态（投票码和选票须保留）"
        case .roundUnfinished: "还有未计票的投票轮次，请先封箱、计票再发布"
        case .nothingCounted: "还没有计票完成的投票轮次，不能发布结果"
        case .locked(let phase, let what): "活动处于“\(phase.label)”状态，不能修改\(what)"
        case .previousRoundUnfinished: "上一轮尚未计票，不能开始新一轮"
        case .alreadyCounted: "本次评议已有有效的计票结果，不能再开启新一轮投票（只有作废的轮次才重新投票）"
        }
    }
}
