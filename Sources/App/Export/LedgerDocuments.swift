import Foundation
import PingyiCore

/// The ledger items a 整改通知书 or 整改台账 lists: in the ledger's order (the 台账), and by 责任单位 (the notices).
struct LedgerPapers: Sendable {
    var items: [RectificationItemDTO]
    var units: [(unit: String, items: [RectificationItemDTO])]
}

/// 整改通知书 (one per 责任单位) and 整改台账 (a landscape table) from the ledger API's items (issue 24).
enum LedgerDocuments {
    /// The 台账's columns: the six parts (问题, 措施, 挂钩领导, 责任单位 and 责任人, 时限, 反馈) with source, progress, state.
    static let ledgerHeader = ["序号", "问题来源", "问题表现", "整改目标与措施", "挂钩领导", "责任单位", "责任人", "完成时限", "整改进展", "销号状态"]

    /// 2026-12-31 (the API's day) → 2026年12月31日.
    static func day(_ iso: String) -> String { (try? OfficialPapers.chineseDate(iso)) ?? iso }

    /// The state as the ledger shows it, with 已逾期 and a pending extension.
    static func state(_ item: RectificationItemDTO) -> String {
        var text = item.stateLabel
        if item.overdue { text += "（已逾期）" }
        if let pending = item.pendingExtension { text += "（申请延期至\(day(pending.deadline))）" }
        return text
    }

    /// 整改通知书: per unit a section (its pages numbered from 1): its items with the six parts and deadlines.
    static func notices(_ units: [(unit: String, items: [RectificationItemDTO])], campaignTitle: String,
                        heading: DocumentHeading) -> DOCXDocument {
        var blocks: [DOCXBlock] = []
        for (index, entry) in units.enumerated() {
            if index > 0 { blocks.append(.sectionBreak) }
            blocks += OfficialDocuments.head(heading)
            blocks.append(.text(.title, "整改通知书"))
            blocks.append(.text(.plain, "\(entry.unit)："))
            blocks.append(.text(.body, "根据\(campaignTitle)的评议结果和会议点评意见，经研究，现将你单位需要整改的\(entry.items.count)个问题通知如下。"
                                 + "请按照“六个一”要求逐项抓好整改，在完成时限前报送整改情况和佐证材料，按程序申请销号。"))
            for (number, item) in entry.items.enumerated() {
                let label = item.category.isEmpty ? item.sourceLabel : "\(item.sourceLabel)·\(item.category)"
                blocks.append(.text(.heading1, "\(MeetingDocuments.numeral(number + 1))、\(label)问题"))
                blocks.append(.paragraph(.body, [DOCXRun("问题表现：", bold: true), DOCXRun(item.problem)]))
                blocks.append(.paragraph(.body, [DOCXRun("整改目标与措施：", bold: true), DOCXRun(item.plan)]))
                blocks.append(.paragraph(.body, [DOCXRun("挂钩领导：", bold: true), DOCXRun(item.linkedLeader)]))
                blocks.append(.paragraph(.body, [DOCXRun("责任单位和责任人：", bold: true), DOCXRun("\(item.responsibleUnit)，\(item.responsiblePerson)")]))
                blocks.append(.paragraph(.body, [DOCXRun("完成时限：", bold: true), DOCXRun(day(item.deadline))]))
                blocks.append(.paragraph(.body, [DOCXRun("反馈公示：", bold: true),
                                                 DOCXRun(item.feedback.isEmpty ? "整改完成后如实填报整改成果，经审核销号后按规定公示。" : item.feedback)]))
            }
            blocks.append(.text(.body, "逾期未完成的，须在完成时限前说明原因并申请延期；整改不力的，将视情予以通报。"))
            blocks += OfficialDocuments.tail(heading)
        }
        let title = units.count == 1 ? "整改通知书（\(units[0].unit)）" : "整改通知书"
        return DOCXDocument(blocks: blocks, record: units.count == 1 ? OfficialDocuments.record(heading) : nil, title: title)
    }

    /// 整改台账: one landscape table, its header row repeated on every page and no row split across pages.
    static func ledger(_ items: [RectificationItemDTO], campaignTitle: String, heading: DocumentHeading) -> DOCXDocument {
        let title = "\(campaignTitle)整改台账"
        var blocks: [DOCXBlock] = [.text(.title, title)]
        blocks.append(.paragraph(.plain, [DOCXRun("填报单位：\(heading.issuer)　　填报日期：\(heading.date)　　共\(items.count)项")]))
        blocks.append(.table(DOCXTable(header: ledgerHeader, rows: items.enumerated().map { index, item in
            [String(index + 1), item.sourceLabel, item.problem, item.plan, item.linkedLeader, item.responsibleUnit, item.responsiblePerson,
             day(item.deadline), item.latestProgress ?? "", state(item)]
        }, widths: [1.5, 1.8, 5, 5, 1.6, 2.6, 1.8, 3, 3.2, 2], leftAligned: [2, 3, 8])))
        return DOCXDocument(blocks: blocks, record: nil, landscape: true, title: title)
    }
}
