import Foundation

/// 发票计划: how many voting codes and paper forms a new round gives each rater group. By default one code for every
/// attendee present; never more than 2,000 of either per group, nor 2,000 codes in the round (their answer, the only
/// copy of the codes, must come back well within the idle timeout); and never fewer ballots in all than the campaign's
/// minimum group size, since a round of one or two voters would publish their ballots as the result.
public struct RoundIssuePlan: Sendable, Hashable {
    /// Per rater group id, in the campaign's group order.
    public var codes: [(group: String, count: Int)]
    public var sheets: [(group: String, count: Int)]
    public var total: Int { (codes + sheets).reduce(0) { $0 + $1.count } }

    public static let maxPerGroup = 2000
    /// Codes one round (or one 补发) hands out at most: each is drawn as a QR slip in the answer.
    public static let maxCodesPerRound = 2000

    /// `groups` in campaign order; `present` attendees per group; `codes`/`sheets` as asked (nil: the defaults).
    public init(groups: [String], present: [String: Int], codes: [String: Int]?, sheets: [String: Int]?,
                minimum: Int) throws(RoundPlanError) {
        let unknown = Set((codes ?? [:]).keys).union((sheets ?? [:]).keys).subtracting(groups)
        guard unknown.isEmpty else { throw .unknownGroup }
        self.codes = groups.map { ($0, codes?[$0] ?? (codes == nil ? present[$0, default: 0] : 0)) }
        self.sheets = groups.map { ($0, sheets?[$0] ?? 0) }
        guard (self.codes + self.sheets).allSatisfy({ (0...Self.maxPerGroup).contains($0.count) }) else { throw .countOutOfRange }
        let codeCount = self.codes.reduce(0) { $0 + $1.count }
        guard codeCount <= Self.maxCodesPerRound else { throw .tooManyCodes(codeCount) }
        guard total > 0 else { throw .nothingToIssue }
        guard total >= minimum else { throw .tooFewVoters(total: total, minimum: minimum) }
    }

    public static func == (a: RoundIssuePlan, b: RoundIssuePlan) -> Bool {
        a.codes.map(\.group) == b.codes.map(\.group) && a.codes.map(\.count) == b.codes.map(\.count)
            && a.sheets.map(\.group) == b.sheets.map(\.group) && a.sheets.map(\.count) == b.sheets.map(\.count)
    }

    public func hash(into hasher: inout Hasher) {
        for (group, count) in codes + sheets { hasher.combine(group); hasher.combine(count) }
    }
}

public enum RoundPlanError: Error, Hashable, Sendable {
    case unknownGroup
    case countOutOfRange
    case nothingToIssue
    case tooFewVoters(total: Int, minimum: Int)
    case tooManyCodes(Int)

    public var message: String {
        switch self {
        case .unknownGroup: "评议人类别不存在"
        case .countOutOfRange: "每个类别的投票码或纸质票数量应在 0 到 \(RoundIssuePlan.maxPerGroup) 之间"
        case .tooManyCodes(let count):
            "一轮最多发放 \(RoundIssuePlan.maxCodesPerRound) 个投票码（本次 \(count) 个）：人数更多时可改发纸质票，或开启后用“补发投票码”分批追加"
        case .nothingToIssue: "没有可发放的选票：请先为出席人员签到，或指定投票码、纸质票数量"
        case .tooFewVoters(let total, let minimum): "本轮只发出 \(total) 张选票，少于最少人数 \(minimum)：人数太少无法保证匿名"
        }
    }
}
