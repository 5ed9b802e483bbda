import Foundation

/// 筹备清单: what a campaign still lacks before its meeting, as a clerk would check it. Required items stop the
/// meeting from starting; the others are advice (a secretary can still get their account after the meeting).
public struct ReadinessFacts: Sendable, Hashable {
    public var forms: Int
    public var raterGroups: Int
    public var reportees: Int
    public var onsiteReportees: Int
    public var attendees: Int
    public var minimumGroupSize: Int
    public var linkedAccounts: Int
    public var writtenReportees: Int
    public var writtenReports: Int
    /// The rules fit the forms and rater groups (`EvaluationRules.validate`).
    public var rulesValid: Bool

    public init(forms: Int, raterGroups: Int, reportees: Int, onsiteReportees: Int, attendees: Int, minimumGroupSize: Int,
                linkedAccounts: Int, writtenReportees: Int, writtenReports: Int, rulesValid: Bool) {
        self.forms = forms
        self.raterGroups = raterGroups
        self.reportees = reportees
        self.onsiteReportees = onsiteReportees
        self.attendees = attendees
        self.minimumGroupSize = minimumGroupSize
        self.linkedAccounts = linkedAccounts
        self.writtenReportees = writtenReportees
        self.writtenReports = writtenReports
        self.rulesValid = rulesValid
    }
}

public struct ReadinessItem: Sendable, Hashable, Codable {
    /// `forms`, `rater_groups`, `rules`, `reportees`, `attendees`, `accounts`, `written_reports`.
    public var key: String
    public var label: String
    public var done: Bool
    /// Required items stop 开始会议 until done.
    public var required: Bool
    public var detail: String
}

public enum MeetingReadiness {
    public static func items(_ f: ReadinessFacts) -> [ReadinessItem] {
        [
            ReadinessItem(key: "forms", label: "评议表", done: f.forms > 0, required: true,
                          detail: f.forms > 0 ? "\(f.forms) 张" : "还没有评议表"),
            ReadinessItem(key: "rater_groups", label: "评议人类别", done: f.raterGroups > 0, required: true,
                          detail: f.raterGroups > 0 ? "\(f.raterGroups) 类" : "还没有评议人类别"),
            ReadinessItem(key: "rules", label: "评议规则与权重", done: f.rulesValid, required: true,
                          detail: f.rulesValid ? "与评议表、评议人类别相符" : "权重与评议表或评议人类别不符，请检查评议规则"),
            ReadinessItem(key: "reportees", label: "述职对象", done: f.reportees > 0, required: true,
                          detail: f.reportees > 0 ? "\(f.reportees) 人（会上述职 \(f.onsiteReportees) 人）" : "还没有述职对象"),
            ReadinessItem(key: "attendees", label: "出席（参加评议）人员", done: f.attendees >= max(f.minimumGroupSize, 1), required: true,
                          detail: f.attendees >= max(f.minimumGroupSize, 1) ? "\(f.attendees) 人"
                              : "\(f.attendees) 人，至少需要 \(max(f.minimumGroupSize, 1)) 人（最少人数）"),
            ReadinessItem(key: "accounts", label: "书记账号", done: f.reportees > 0 && f.linkedAccounts == f.reportees, required: false,
                          detail: "已关联 \(f.linkedAccounts) / \(f.reportees) 人（关联后书记可查看本人结果和整改事项）"),
            ReadinessItem(key: "written_reports", label: "书面述职材料", done: f.writtenReports >= f.writtenReportees, required: false,
                          detail: f.writtenReportees == 0 ? "没有书面述职的对象" : "已上传 \(f.writtenReports) / \(f.writtenReportees) 人"),
        ]
    }

    /// What still stops the meeting from starting, by label; empty when it may start.
    public static func missing(_ f: ReadinessFacts) -> [String] {
        items(f).filter { $0.required && !$0.done }.map(\.label)
    }
}
