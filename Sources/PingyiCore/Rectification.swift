import Foundation

/// 整改状态: 已下发 → 已签收 → 整改中 → 申请销号 → 已销号; 驳回 goes back to 整改中, 回头看 reopens a closed item or
/// confirms that its fix holds (it stays 已销号).
public enum RectificationState: String, Codable, CaseIterable, Sendable, Hashable {
    /// 已下发
    case issued
    /// 已签收
    case acknowledged
    /// 整改中
    case inProgress = "in_progress"
    /// 申请销号
    case closeRequested = "close_requested"
    /// 已销号
    case closed

    public var label: String {
        switch self {
        case .issued: "已下发"
        case .acknowledged: "已签收"
        case .inProgress: "整改中"
        case .closeRequested: "申请销号"
        case .closed: "已销号"
        }
    }

    public var isOpen: Bool { self != .closed }
}

/// 问题来源.
public enum RectificationSource: String, Codable, CaseIterable, Sendable, Hashable {
    /// 主持人点评
    case chairComment = "chair_comment"
    /// 评议结果
    case evaluationResult = "evaluation_result"
    /// 巡察
    case inspection
    /// 督查
    case supervision
    /// 谈心活动
    case heartToHeart = "heart_to_heart"

    public var label: String {
        switch self {
        case .chairComment: "述职点评"
        case .evaluationResult: "民主评议结果"
        case .inspection: "巡察反馈"
        case .supervision: "日常督查"
        case .heartToHeart: "谈心活动"
        }
    }
}

/// Who acts on an item: the organization department (admin in scope), the responsible person (owner), or anyone else.
public enum RectificationRole: Sendable, Hashable {
    case admin
    case owner
    /// An admin who is also the item's responsible person: may manage it, but never approve its own closing.
    case adminOwner
    case other

    var isAdmin: Bool { self == .admin || self == .adminOwner }
    var isOwner: Bool { self == .owner || self == .adminOwner }
}

/// Every change an item can go through.
public enum RectificationAction: String, Codable, CaseIterable, Sendable, Hashable {
    /// 签收 (owner, or an admin on their behalf)
    case acknowledge
    /// 报送整改进展 (owner or admin); the first one moves 已签收 to 整改中
    case progress
    /// 申请销号 (owner, or an admin on their behalf; needs evidence)
    case requestClose = "request_close"
    /// 同意销号 (admin, not the owner)
    case approveClose = "approve_close"
    /// 驳回 (admin; needs a reason)
    case reject
    /// 申请延期 (owner, or an admin on their behalf; a later deadline and a reason)
    case requestExtension = "request_extension"
    /// 同意延期 (admin, not the owner)
    case approveExtension = "approve_extension"
    /// 不同意延期 (admin, not the owner; needs a reason)
    case refuseExtension = "refuse_extension"
    /// 回头看: reopens a closed item (admin; needs a reason)
    case reopen
    /// 回头看: the fix holds — recorded on a closed item, which stays closed (admin, not the owner; needs what was found)
    case confirm

    public var label: String {
        switch self {
        case .acknowledge: "签收"
        case .progress: "报送进展"
        case .requestClose: "申请销号"
        case .approveClose: "同意销号"
        case .reject: "驳回"
        case .requestExtension: "申请延期"
        case .approveExtension: "同意延期"
        case .refuseExtension: "不同意延期"
        case .reopen: "回头看重新整改"
        case .confirm: "回头看确认整改到位"
        }
    }
}

/// An extension asked for and not yet decided.
public struct ExtensionRequest: Codable, Sendable, Hashable {
    public var deadline: Date
    public var reason: String

    public init(deadline: Date, reason: String) {
        self.deadline = deadline
        self.reason = reason
    }
}

/// The part of an item the state machine reads and changes.
public struct RectificationStatus: Codable, Sendable, Hashable {
    public var state: RectificationState
    public var deadline: Date
    public var pendingExtension: ExtensionRequest?
    /// Evidence files attached so far.
    public var evidenceCount: Int
    /// Times 回头看 reopened it.
    public var reopenCount: Int

    public init(state: RectificationState = .issued, deadline: Date, pendingExtension: ExtensionRequest? = nil, evidenceCount: Int = 0,
                reopenCount: Int = 0) {
        self.state = state
        self.deadline = deadline
        self.pendingExtension = pendingExtension
        self.evidenceCount = evidenceCount
        self.reopenCount = reopenCount
    }

    /// 逾期: still open after its deadline.
    public func isOverdue(at now: Date) -> Bool { state.isOpen && now > deadline }

    /// Open, not overdue, and due within `days`.
    public func isDueSoon(at now: Date, days: Int = 7) -> Bool {
        state.isOpen && now <= deadline && deadline.timeIntervalSince(now) <= Double(days) * 86_400
    }
}

/// What a request carries besides the action.
public struct RectificationInput: Sendable, Hashable {
    public var note: String
    /// The new deadline of 申请延期.
    public var deadline: Date?

    public init(note: String = "", deadline: Date? = nil) {
        self.note = note
        self.deadline = deadline
    }
}

public enum RectificationError: Error, Hashable, Sendable {
    case illegal(RectificationAction, RectificationState)
    case notAllowed(RectificationAction)
    case ownerCannotApprove
    case reasonRequired(RectificationAction)
    case evidenceRequired
    case extensionPending
    case noExtensionPending
    case extensionNotLater

    public var message: String {
        switch self {
        case .illegal(let action, let state): "“\(state.label)”状态的问题不能\(action.label)"
        case .notAllowed(let action): "没有权限\(action.label)"
        case .ownerCannotApprove: "责任人不能审核自己负责的问题（销号、延期），须由组织部门其他人员审核"
        case .reasonRequired(let action): "\(action.label)须填写理由或内容"
        case .evidenceRequired: "申请销号前须上传佐证材料"
        case .extensionPending: "已有延期申请待审核"
        case .noExtensionPending: "没有待审核的延期申请"
        case .extensionNotLater: "延期后的完成时限必须晚于原时限"
        }
    }
}

/// The rectification state machine: checks who may do what in which state, and what the item becomes.
/// Pure: the caller stores the result and the history entry.
public func apply(_ action: RectificationAction, to status: RectificationStatus, by role: RectificationRole,
                  input: RectificationInput = RectificationInput()) throws(RectificationError) -> RectificationStatus {
    var next = status
    let note = input.note.trimmingCharacters(in: .whitespacesAndNewlines)
    func require(_ allowed: Bool) throws(RectificationError) { if !allowed { throw .notAllowed(action) } }
    func requireState(_ states: Set<RectificationState>) throws(RectificationError) {
        if !states.contains(status.state) { throw .illegal(action, status.state) }
    }
    func requireReason() throws(RectificationError) { if note.isEmpty { throw .reasonRequired(action) } }
    switch action {
    case .acknowledge:
        try require(role.isOwner || role.isAdmin)
        try requireState([.issued])
        next.state = .acknowledged
    case .progress:
        try require(role.isOwner || role.isAdmin)
        try requireState([.acknowledged, .inProgress])
        try requireReason()
        next.state = .inProgress
    case .requestClose:
        try require(role.isOwner || role.isAdmin)
        try requireState([.inProgress])
        if status.evidenceCount == 0 { throw .evidenceRequired }
        try requireReason()
        next.state = .closeRequested
    case .approveClose:
        try require(role.isAdmin)
        if role == .adminOwner { throw .ownerCannotApprove }
        try requireState([.closeRequested])
        if status.evidenceCount == 0 { throw .evidenceRequired }
        next.state = .closed
        next.pendingExtension = nil
    case .reject:
        try require(role.isAdmin)
        try requireState([.closeRequested])
        try requireReason()
        next.state = .inProgress
    case .requestExtension:
        try require(role.isOwner || role.isAdmin)
        try requireState([.issued, .acknowledged, .inProgress])
        if status.pendingExtension != nil { throw .extensionPending }
        try requireReason()
        guard let deadline = input.deadline else { throw .reasonRequired(action) }
        if deadline <= status.deadline { throw .extensionNotLater }
        next.pendingExtension = ExtensionRequest(deadline: deadline, reason: note)
    case .approveExtension, .refuseExtension:
        try require(role.isAdmin)
        if role == .adminOwner { throw .ownerCannotApprove }
        try requireState([.issued, .acknowledged, .inProgress, .closeRequested])
        guard let pending = status.pendingExtension else { throw .noExtensionPending }
        if action == .refuseExtension { try requireReason() } else { next.deadline = pending.deadline }
        next.pendingExtension = nil
    case .reopen:
        try require(role.isAdmin)
        try requireState([.closed])
        try requireReason()
        next.state = .inProgress
        next.reopenCount += 1
    case .confirm:
        try require(role.isAdmin)
        if role == .adminOwner { throw .ownerCannotApprove }
        try requireState([.closed])
        try requireReason()
    }
    return next
}

/// One item as the ledger's reminders see it.
public struct ReminderItem: Sendable, Hashable {
    public var unit: String
    public var status: RectificationStatus

    public init(unit: String, status: RectificationStatus) {
        self.unit = unit
        self.status = status
    }
}

/// 到期提醒 for one unit.
public struct UnitReminder: Sendable, Hashable {
    public var unit: String
    public var dueSoon: Int
    public var overdue: Int
}

/// Items due within `days` and overdue items, per unit (units with neither are left out), by unit name.
public func reminders(_ items: [ReminderItem], at now: Date, days: Int = 7) -> [UnitReminder] {
    var byUnit: [String: UnitReminder] = [:]
    for item in items {
        let overdue = item.status.isOverdue(at: now)
        let soon = item.status.isDueSoon(at: now, days: days)
        guard overdue || soon else { continue }
        var entry = byUnit[item.unit] ?? UnitReminder(unit: item.unit, dueSoon: 0, overdue: 0)
        if overdue { entry.overdue += 1 } else { entry.dueSoon += 1 }
        byUnit[item.unit] = entry
    }
    return byUnit.values.sorted { $0.unit < $1.unit }
}

/// 完成时限 as a calendar day (北京时间): "2026-12-31" means by the end of that day.
public enum CalendarDay {
    static let zone = TimeZone(secondsFromGMT: 8 * 3600)!

    static var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }

    /// The last second of the day `yyyy-MM-dd`; `nil` for anything else, an impossible date, or a year outside 2000–2100.
    public static func endOfDay(_ text: String) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), (2000...2100).contains(year) else { return nil }
        let components = DateComponents(year: year, month: month, day: day, hour: 23, minute: 59, second: 59)
        guard components.isValidDate(in: calendar), let date = calendar.date(from: components) else { return nil }
        return date
    }

    /// `yyyy-MM-dd` of a moment, in 北京时间.
    public static func day(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }
}
