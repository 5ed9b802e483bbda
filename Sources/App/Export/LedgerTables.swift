import Fluent
import Foundation
import PingyiCore

/// 整改台账 as XLSX: the ledger in the department's columns, and every item's history on a second sheet.
enum LedgerTables {
    /// The columns of the department's printed 台账.
    static let headers = ["序号", "问题来源", "问题表现", "整改目标与措施", "挂钩领导", "责任单位/责任人", "完成时限", "整改进展", "佐证材料",
                          "销号状态", "备注"]

    static func row(_ serial: Int, _ item: RectificationItem, progress: [String], files: [String], now: Date) -> [XLSXCell] {
        var remarks: [String] = []
        if !item.category.isEmpty { remarks.append("类别：\(item.category)") }
        if item.status.isOverdue(at: now) { remarks.append("已逾期") }
        if let pending = item.pendingExtension { remarks.append("申请延期至 \(CalendarDay.day(pending.deadline))，待审核") }
        if item.reopenCount > 0 { remarks.append("回头看重新整改 \(item.reopenCount) 次") }
        if !item.feedback.isEmpty { remarks.append("整改成果：\(item.feedback)") }
        let state = item.state.label + (item.closedAt.map { "（\(CalendarDay.day($0))）" } ?? "")
        return [.number(serial), .text(item.source.label), .text(item.problem), .text(item.plan), .text(item.linkedLeader),
                .text("\(item.responsibleUnit)/\(item.responsiblePerson)"), .text(CalendarDay.day(item.deadline)),
                .text(progress.joined(separator: "\n")), .text(files.joined(separator: "\n")), .text(state), .text(remarks.joined(separator: "；"))]
    }

    static func workbook(items: [RectificationItem], events: [RectificationEvent], evidence: [RectificationEvidence], now: Date) -> [XLSXSheet] {
        let byItem = Dictionary(grouping: events, by: { $0.$item.id })
        let filesByItem = Dictionary(grouping: evidence, by: { $0.$item.id })
        var ledger: [[XLSXCell]] = [headers.map(XLSXCell.text)]
        var history: [[XLSXCell]] = [["序号", "时间", "操作人", "操作", "状态变化", "说明"].map(XLSXCell.text)]
        let stamp = DateFormatter()
        stamp.locale = Locale(identifier: "zh_CN")
        stamp.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
        stamp.dateFormat = "yyyy-MM-dd HH:mm"
        for (index, item) in items.enumerated() {
            let itemEvents = byItem[item.id!] ?? []
            let progress = itemEvents.filter { $0.action == RectificationAction.progress.rawValue }
                .map { "\(CalendarDay.day($0.at)) \($0.note)" }
            let files = (filesByItem[item.id!] ?? []).map { "\($0.fileName)（SHA-256 \($0.sha256.prefix(12))）" }
            ledger.append(row(index + 1, item, progress: progress, files: files, now: now))
            for event in itemEvents {
                let change = event.toState.map { to in (event.fromState.map { "\($0.label) → " } ?? "") + to.label } ?? ""
                history.append([.number(index + 1), .text(stamp.string(from: event.at)), .text(event.actorName), .text(eventLabel(event.action)),
                                .text(change), .text(event.note)])
            }
        }
        return [
            XLSXSheet(name: "整改台账", rows: ledger, widths: [6, 10, 36, 36, 10, 20, 12, 36, 24, 12, 24]),
            XLSXSheet(name: "整改过程", rows: history, widths: [6, 17, 10, 12, 18, 50]),
        ]
    }
}
