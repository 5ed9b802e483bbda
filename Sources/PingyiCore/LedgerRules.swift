import Foundation

/// 整改台账的分工: the rules around the state machine (`apply`) that say who may change an item's six parts, what
/// each reader is offered, and the dashboard's count per unit. Pure.
public enum LedgerRules {
    /// Separation of duties on an edit: only an admin edits, only while the item is open; the deadline moves only
    /// through 申请延期 and its approval, and the responsible person cannot hand the item to someone else (who would
    /// then let them approve their own closing).
    public static func checkEdit(_ state: RectificationState, by role: RectificationRole, movesDeadline: Bool,
                                 changesOwner: Bool) throws(LedgerRuleError) {
        guard role.isAdmin else { throw .notEditor }
        guard state.isOpen else { throw .closed }
        if movesDeadline { throw .deadlineOnlyByExtension }
        if changesOwner, role != .admin { throw .ownerCannotHandOver }
    }

    /// May this reader edit the six parts now?
    public static func canEdit(_ state: RectificationState, by role: RectificationRole) -> Bool {
        role.isAdmin && state.isOpen
    }

    /// A new item's deadline (the end of a day) may not lie in the past.
    public static func checkNewDeadline(_ deadline: Date, at now: Date) throws(LedgerRuleError) {
        if deadline < now { throw .deadlineInPast }
    }

    /// Evidence is added only while the item is open.
    public static func checkEvidence(_ state: RectificationState) throws(LedgerRuleError) {
        if !state.isOpen { throw .closedForEvidence }
    }

    /// The actions to offer this reader: those `apply` would take with a note and a later deadline, and 申请销号
    /// while evidence is missing (shown, so the page can say what is missing; the server still refuses until it is there).
    public static func availableActions(_ status: RectificationStatus, by role: RectificationRole) -> [RectificationAction] {
        let probe = RectificationInput(note: "—", deadline: status.deadline.addingTimeInterval(365 * 86_400))
        return RectificationAction.allCases.filter { action in
            do throws(RectificationError) {
                _ = try apply(action, to: status, by: role, input: probe)
                return true
            } catch {
                return error == .evidenceRequired
            }
        }
    }

    /// The history entry's text for an action: the requested or granted deadline with the note.
    public static func eventNote(_ action: RectificationAction, note: String, requested deadline: Date?,
                                 after: RectificationStatus) -> String {
        switch action {
        case .requestExtension: "申请延期至 \(deadline.map(CalendarDay.day) ?? "")：\(note)"
        case .approveExtension: "同意延期至 \(CalendarDay.day(after.deadline))" + (note.isEmpty ? "" : "：\(note)")
        default: note
        }
    }

    /// 整改成果 as the public notice shows it: what the responsible person reported when the last closing was asked for
    /// (the note of the last 申请销号 after the last 回头看 reopening), then the latest 回头看 that confirmed the fix.
    /// `history` is the item's actions oldest first (raw action codes and their notes); `nil` when nothing was reported.
    public static func publicResult(_ history: [(action: String, note: String)]) -> String? {
        var reported: String?
        var confirmed: String?
        for entry in history {
            let note = entry.note.trimmingCharacters(in: .whitespacesAndNewlines)
            switch RectificationAction(rawValue: entry.action) {
            case .requestClose?: reported = note.isEmpty ? reported : note
            case .reopen?: reported = nil; confirmed = nil
            case .confirm?: confirmed = note.isEmpty ? confirmed : note
            default: break
            }
        }
        // The report's own closing stop gives way to the separator ("已落实。；回头看…" reads as a typo).
        let report = reported.map { confirmed != nil && $0.last.map("。；;.".contains) == true ? String($0.dropLast()) : $0 }
        let parts = [report, confirmed.map { "回头看确认：\($0)" }].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: "；")
    }

    /// At most this many 责任单位 picked for one item.
    public static let maxResponsibleUnits = 20

    /// The picked 责任单位 in the order picked, each once; more than `maxResponsibleUnits` is refused.
    public static func pickedUnits<ID: Hashable>(_ picked: [ID]) throws(LedgerRuleError) -> [ID] {
        var seen = Set<ID>()
        let units = picked.filter { seen.insert($0).inserted }
        if units.count > maxResponsibleUnits { throw .tooManyUnits }
        return units
    }

    /// The 责任单位 text for picked units: their names joined with 、, shortened to fit `limit` characters ("…等 N 个单位").
    public static func responsibleUnitText(_ names: [String], limit: Int = 100) -> String {
        let whole = names.joined(separator: "、")
        if whole.count <= limit { return whole }
        for kept in stride(from: names.count - 1, through: 1, by: -1) {
            let text = names.prefix(kept).joined(separator: "、") + "等 \(names.count) 个单位"
            if text.count <= limit { return text }
        }
        return String(names[0].prefix(limit - 8)) + "等 \(names.count) 个单位"
    }

    /// The units the dashboard counts an item under: its picked 责任单位, or — for an item whose 责任单位 is free text —
    /// the organisation it was filed under.
    public static func countedUnits<ID: Hashable>(picked: [ID], filedUnder: ID) -> [ID] {
        picked.isEmpty ? [filedUnder] : picked
    }

    /// One item as the dashboard counts it.
    public struct DashboardItem: Sendable, Hashable {
        public var unit: String
        public var unitName: String
        public var status: RectificationStatus

        public init(unit: String, unitName: String, status: RectificationStatus) {
            self.unit = unit
            self.unitName = unitName
            self.status = status
        }
    }

    /// 看板 for one unit.
    public struct UnitTally: Sendable, Hashable {
        public var unit: String
        public var unitName: String
        public var open = 0
        public var overdue = 0
        public var dueSoon = 0
        public var closed = 0

        public init(unit: String, unitName: String, open: Int = 0, overdue: Int = 0, dueSoon: Int = 0, closed: Int = 0) {
            self.unit = unit
            self.unitName = unitName
            self.open = open
            self.overdue = overdue
            self.dueSoon = dueSoon
            self.closed = closed
        }
    }

    /// Open, overdue, due within 7 days and closed items per unit; most overdue first, then most open, then by name
    /// (descending, as the page lists them).
    public static func dashboard(_ items: [DashboardItem], at now: Date) -> [UnitTally] {
        var rows: [String: UnitTally] = [:]
        for item in items {
            var row = rows[item.unit] ?? UnitTally(unit: item.unit, unitName: item.unitName)
            if item.status.state.isOpen { row.open += 1 } else { row.closed += 1 }
            if item.status.isOverdue(at: now) { row.overdue += 1 }
            if item.status.isDueSoon(at: now) { row.dueSoon += 1 }
            rows[item.unit] = row
        }
        return rows.values.sorted { ($0.overdue, $0.open, $0.unitName) > ($1.overdue, $1.open, $1.unitName) }
    }

    /// The items of a 整改通知书 or 整改台账 (issue 24), grouped by 责任单位 as entered, the units in the order their
    /// first item was filed; with `unit`, only that unit's. No item is a refusal, never an empty document.
    public static func documentUnits<Item>(_ items: [Item], unit: String? = nil,
                                           responsibleUnit: (Item) -> String) throws -> [(unit: String, items: [Item])] {
        var order: [String] = []
        var grouped: [String: [Item]] = [:]
        for item in items {
            let name = responsibleUnit(item).trimmingCharacters(in: .whitespacesAndNewlines)
            if grouped[name] == nil { order.append(name) }
            grouped[name, default: []].append(item)
        }
        if let unit { order = order.filter { $0 == unit } }
        guard !order.isEmpty else { throw LedgerRuleError.nothingToDocument(unit: unit) }
        return order.map { ($0, grouped[$0]!) }
    }
}

public enum LedgerRuleError: Error, Hashable, Sendable {
    /// Only an admin in scope edits an item.
    case notEditor
    case closed
    case deadlineOnlyByExtension
    case ownerCannotHandOver
    case deadlineInPast
    case closedForEvidence
    case tooManyUnits
    /// A 整改通知书 or 整改台账 with no items to list (`unit`: the 责任单位 asked for, if any).
    case nothingToDocument(unit: String?)

    public var message: String {
        switch self {
        case .notEditor: "没有权限执行此操作"
        case .closed: "已销号的问题不能修改；如需重新整改请“回头看”"
        case .deadlineOnlyByExtension: "已下发的问题，完成时限只能通过“申请延期”并经审批后修改"
        case .ownerCannotHandOver: "责任人不能把自己的整改事项转给他人"
        case .deadlineInPast: "完成时限不能早于今天"
        case .closedForEvidence: "已销号的问题不能再上传佐证材料"
        case .tooManyUnits: "责任单位最多选 \(LedgerRules.maxResponsibleUnits) 个"
        case .nothingToDocument(let unit):
            unit.map { "“\($0)”没有本次评议的整改事项，无法生成整改文书" } ?? "本次评议尚无整改事项，无法生成整改通知书或整改台账；请先在会议纪要或评议结果中列入整改"
        }
    }
}
