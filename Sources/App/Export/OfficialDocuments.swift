import Foundation
import PingyiCore

/// The 版头 and 版记 of a 公文, set by the clerk when the document is made: 发文机关, 发文字号, 主送, 抄送, 成文日期.
struct DocumentHeading: Sendable, Hashable, Codable {
    var issuer: String
    var number: String
    var recipients: String
    var copyTo: String
    /// 成文日期, e.g. 2026年12月4日 (Arabic numerals, GB/T 9704 7.3.5.3).
    var date: String

    static func chineseDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return "\(c.year!)年\(c.month!)月\(c.day!)日"
    }
}

/// The figures of the documents, formatted as the result sheet formats them (one meaning per figure).
enum DocumentFigures {
    static func score(_ value: Double?) -> String { value.map { String(format: "%.2f", $0) } ?? "—" }
    static func rate(_ value: Double?) -> String { value.map(ResultChart.percent) ?? "—" }
    /// 100, 80, 62.5: no trailing zeros.
    static func plain(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%g", value)
    }
}

/// The 公文 built from the read models: 评议结果通报 and 个人评议结果反馈意见书.
enum OfficialDocuments {
    static func head(_ heading: DocumentHeading) -> [DOCXBlock] {
        [.paragraph(.issuerMark, [DOCXRun("\(heading.issuer)文件", red: true)]), .text(.docNumber, heading.number)]
    }

    static func tail(_ heading: DocumentHeading) -> [DOCXBlock] {
        [.text(.plain, ""), .text(.signature, heading.issuer), .text(.signature, heading.date)]
    }

    static func record(_ heading: DocumentHeading) -> DOCXRecord {
        DOCXRecord(copyTo: heading.copyTo, printer: heading.issuer, printDate: heading.date)
    }

    /// 评议方法 in one paragraph: forms, grades and points, group weights, minimum group size.
    static func method(_ report: CampaignReport) -> String {
        let rules = report.computed.rules
        let forms = report.campaign.forms.map { "《\($0.name)》" }.joined(separator: "、")
        let p = rules.points
        let points = "好\(DocumentFigures.plain(p.good))分、较好\(DocumentFigures.plain(p.fairlyGood))分、一般\(DocumentFigures.plain(p.average))分、差\(DocumentFigures.plain(p.poor))分"
        let bands = rules.grading.bands.map { "\($0.grade.label)（\(DocumentFigures.plain($0.minimum))分以上）" }.joined(separator: "、")
        return "本次评议采用\(forms)，评价等次分为好、较好、一般、差四档，分别计\(points)；"
            + "按各类评议人权重加权计算民主评议得分，评议等次为\(bands)。"
            + "为保护评议人，人数少于\(report.computed.pooling.minimum)人的评议人类别与相邻类别合并统计，不单独列示。"
            + "好评率为评价“好”和“较好”的票数占有效票的比例。"
    }

    static let rankingHeader = ["名次", "姓名", "单位", "民主评议得分", "好评率", "评议等次", "综合评定等次"]

    /// One ranking row: the figures of the results API (`composite`, `goodRate`, `grade`, the assessment's grade or 待定).
    static func rankingRow(_ report: CampaignReport, _ result: ReporteeResult) -> [String] {
        let person = report.reportee(result.reportee)
        return [result.rank.map(String.init) ?? "不排名", person?.name ?? "", person?.unitName ?? "",
                DocumentFigures.score(result.composite), DocumentFigures.rate(result.goodRate), result.grade?.label ?? "—",
                report.outcomes[result.reportee]?.grade?.label ?? "待定"]
    }

    /// 评议结果通报.
    static func resultsNotice(_ report: CampaignReport, heading: DocumentHeading) -> DOCXDocument {
        let campaign = report.campaign
        var blocks = head(heading)
        blocks.append(.text(.title, "关于\(campaign.title)结果的通报"))
        blocks.append(.text(.plain, "\(heading.recipients)："))
        let ranked = report.ranked
        blocks.append(.text(.body, "根据工作安排，\(campaign.year)年度述职评议已完成会议评议和计票（第\(report.computed.round.number)轮），"
                             + "共有\(ranked.count)名同志参加评议。现将评议结果通报如下。"))
        blocks.append(.text(.heading1, "一、评议方法"))
        blocks.append(.text(.body, method(report)))
        blocks.append(.text(.heading1, "二、评议结果"))
        if let reconciliation = report.computed.reconciliation {
            blocks.append(.text(.body, "本轮发出评议票\(reconciliation.issued)张，收回\(reconciliation.returned)张，其中有效票\(reconciliation.valid)张。"))
        }
        blocks.append(.table(DOCXTable(header: rankingHeader, rows: ranked.map { rankingRow(report, $0) },
                                       widths: [1.6, 2.6, 5.2, 2.6, 2.2, 2.2, 2.6])))
        let pending = ranked.filter { report.outcomes[$0.reportee]?.grade == nil }.count
        if pending > 0 {
            blocks.append(.text(.body, "综合评定等次标“待定”的\(pending)名同志，考核尚未完成，待考核完成后另行通报。"))
        }
        let flagged = ranked.compactMap { result -> String? in
            let notes = result.flags.map(\.message) + (report.outcomes[result.reportee]?.notes ?? [])
            guard !notes.isEmpty else { return nil }
            return "\(report.reportee(result.reportee)?.name ?? "")：\(notes.joined(separator: "；"))"
        }
        if !flagged.isEmpty {
            blocks.append(.text(.heading1, "三、需要说明的情况"))
            for line in flagged { blocks.append(.text(.body, line)) }
        }
        blocks.append(.text(.body, "请各单位对照评议结果，认真查找问题，制定整改措施，抓好整改落实。"))
        blocks.append(.text(.plain, ""))
        blocks.append(.text(.body, "附件：\(campaign.title)个人评议结果汇总表（见上表）"))
        blocks += tail(heading)
        return DOCXDocument(blocks: blocks, record: record(heading), title: "关于\(campaign.title)结果的通报")
    }

    static let countHeader = ["好", "较好", "一般", "差", "弃权", "有效票", "好评率", "得分"]

    static func countCells(_ c: GradeCounts) -> [String] {
        [c.good, c.fairlyGood, c.average, c.poor, c.abstentions, c.valid].map(String.init)
    }

    /// What a letter adds to the figures: the chair's comment and the ledger items opened for the secretary.
    struct FeedbackExtras: Sendable {
        var comment: String?
        var items: [(problem: String, plan: String, deadline: String)] = []
    }

    /// The blocks of one 个人评议结果反馈意见书 (one section of the combined document).
    static func feedbackBlocks(_ report: CampaignReport, _ result: ReporteeResult, extras: FeedbackExtras,
                               heading: DocumentHeading) -> [DOCXBlock] {
        let person = report.reportee(result.reportee)
        let name = person?.name ?? ""
        let rankedCount = report.computed.results.filter { $0.rank != nil }.count
        var blocks: [DOCXBlock] = [.text(.title, "个人评议结果反馈意见书"), .text(.plain, "\(name)同志：")]
        blocks.append(.text(.body, "根据\(report.campaign.title)的评议结果，现将你（\(person?.unitName ?? "")\(person?.title ?? "")）的评议情况反馈如下。"))
        blocks.append(.text(.heading1, "一、总体结果"))
        let rank = result.rank.map { "第\($0)名（共\(rankedCount)名）" } ?? "不排名"
        blocks.append(.text(.body, "民主评议得分\(DocumentFigures.score(result.composite))分，好评率\(DocumentFigures.rate(result.goodRate))，"
                             + "名次\(rank)，评议等次“\(result.grade?.label ?? "—")”，综合评定等次“\(report.outcomes[result.reportee]?.grade?.label ?? "待定")”。"))
        blocks.append(.text(.heading1, "二、各评议表结果"))
        blocks.append(.table(DOCXTable(header: ["评议表"] + countHeader, rows: result.forms.map { form in
            [form.form.name] + countCells(form.overall?.counts ?? .zero) + [DocumentFigures.rate(form.goodRate), DocumentFigures.score(form.score)]
        }, widths: [4, 1.3, 1.3, 1.3, 1.3, 1.3, 1.6, 2, 2])))
        blocks.append(.text(.heading1, "三、各类评议人评价"))
        blocks.append(.text(.body, "以下按评议人类别列示各评议表总体评价（人数少于\(report.computed.pooling.minimum)人的类别已合并）。"))
        var groupRows: [[String]] = []
        for form in result.forms {
            guard let overall = form.overall else { continue }
            for group in report.groups {
                let c = overall.byGroup[group.key] ?? .zero
                groupRows.append([form.form.name, group.name] + countCells(c)
                                 + [c.valid > 0 ? DocumentFigures.rate(c.goodRate) : "—"])
            }
        }
        blocks.append(.table(DOCXTable(header: ["评议表", "评议人类别"] + Array(countHeader.dropLast()), rows: groupRows,
                                       widths: [3, 3.4, 1.2, 1.2, 1.2, 1.2, 1.2, 1.5, 1.8])))
        let notes = result.flags.map(\.message) + (report.outcomes[result.reportee]?.notes ?? [])
        var section = 4
        func heading1(_ text: String) {
            blocks.append(.text(.heading1, "\(["", "一", "二", "三", "四", "五", "六", "七"][section])、\(text)"))
            section += 1
        }
        if !notes.isEmpty {
            heading1("需要说明的情况")
            for note in notes { blocks.append(.text(.body, note)) }
        }
        if let comment = extras.comment, !comment.isEmpty {
            heading1("主持人点评意见")
            blocks.append(.text(.body, comment))
        }
        if !extras.items.isEmpty {
            heading1("整改事项")
            for (index, item) in extras.items.enumerated() {
                blocks.append(.text(.body, "\(index + 1). \(item.problem)整改措施：\(item.plan)完成时限：\(item.deadline)。"))
            }
        }
        blocks.append(.text(.body, "请对照评议结果，认真查找不足，明确整改方向，切实抓好整改落实。"))
        blocks += tail(heading)
        return blocks
    }

    /// One letter per secretary, each in its own section; or one when `only` names a secretary.
    static func feedback(_ report: CampaignReport, results: [ReporteeResult], extras: [String: FeedbackExtras],
                         heading: DocumentHeading) -> DOCXDocument {
        var blocks: [DOCXBlock] = []
        for (index, result) in results.enumerated() {
            if index > 0 { blocks.append(.sectionBreak) }
            blocks += feedbackBlocks(report, result, extras: extras[result.reportee] ?? FeedbackExtras(), heading: heading)
        }
        let title = results.count == 1 ? "个人评议结果反馈意见书（\(report.reportee(results[0].reportee)?.name ?? "")）" : "个人评议结果反馈意见书"
        return DOCXDocument(blocks: blocks, record: nil, title: title)
    }
}
