import Foundation
import PingyiCore
import Vapor

extension XLSXCell {
    /// The cell as CSV text: shares as "87.5%", scores with two decimals.
    var csvText: String {
        switch self {
        case .text(let text): text
        case .number(let value): XLSXWriter.number(value)
        case .score(let value): String(format: "%.2f", value)
        case .percent(let value): ResultChart.percent(value)
        case .empty: ""
        }
    }
}

/// The tables behind the exports, built once from a report.
enum ResultTables {
    static let countHeaders = ["好", "较好", "一般", "差", "弃权", "废票"]

    static func counts(_ c: GradeCounts) -> [XLSXCell] {
        [.number(c.good), .number(c.fairlyGood), .number(c.average), .number(c.poor), .number(c.abstentions), .number(c.voids)]
    }

    /// 汇总表: one row per secretary in rank order.
    static func summary(_ report: CampaignReport) -> [[XLSXCell]] {
        let forms = report.campaign.forms
        let parts = report.campaign.assessmentRules.counted.filter { $0 != .evaluation }
        var header: [XLSXCell] = ["名次", "姓名", "单位", "职务", "民主评议得分", "好评率", "差评率", "评议等次"].map(XLSXCell.text)
        for form in forms {
            header += (countHeaders + ["好评率", "得分"]).map { XLSXCell.text("\(form.name)·\($0)") }
        }
        header += parts.map { XLSXCell.text($0.label) } + ["考核综合得分", "综合评定等次", "说明"].map(XLSXCell.text)
        var rows = [header]
        for result in report.ranked {
            let person = report.reportee(result.reportee)
            let outcome = report.outcomes[result.reportee]
            var row: [XLSXCell] = [
                result.rank.map { .number($0) } ?? .empty, .text(person?.name), .text(person?.unitName), .text(person?.title),
                .score(result.composite), .percent(result.goodRate), .percent(result.poorRate), .text(result.grade?.label),
            ]
            for form in forms {
                let formResult = result.forms.first { $0.form.id == form.id }
                let overall = formResult?.overall?.counts ?? .zero
                row += counts(overall) + [.percent(formResult?.goodRate), .score(formResult?.score)]
            }
            row += parts.map { part in .score(outcome?.parts.first { $0.component == part }?.score) }
            row += [.score(outcome?.score), .text(outcome?.grade?.label),
                    .text((result.flags.map(\.message) + (outcome?.notes ?? [])).joined(separator: "；"))]
            rows.append(row)
        }
        return rows
    }

    /// 个人评议结果: every column of every form, rater groups on the overall columns, and the assessment.
    static func sheet(_ report: CampaignReport, _ result: ReporteeResult) -> XLSXSheet {
        let person = report.reportee(result.reportee)
        let outcome = report.outcomes[result.reportee]
        let ranked = report.computed.results.filter { $0.rank != nil }.count
        var rows: [[XLSXCell]] = [
            [.text("\(report.campaign.title) · 个人评议结果")],
            [.text("姓名"), .text(person?.name), .text("单位"), .text(person?.unitName), .text("职务"), .text(person?.title)],
            [.text("名次"), .text(result.rank.map { "\($0) / \(ranked)" } ?? "不排名"), .text("民主评议得分"), .score(result.composite),
             .text("好评率"), .percent(result.goodRate), .text("评议等次"), .text(result.grade?.label),
             .text("综合评定等次"), .text(outcome?.grade?.label ?? "待定")],
            [],
        ]
        var headers: Set<Int> = [0]
        headers.insert(rows.count)
        rows.append((["评议表", "评议项目"] + countHeaders + ["有效票", "好评率", "平均分", "加权得分", "加权好评率"]).map(XLSXCell.text))
        for form in result.forms {
            for column in form.columns {
                rows.append([.text(form.form.name), .text(column.column.name)] + counts(column.counts)
                            + [.number(column.counts.valid), .percent(column.counts.goodRate), .score(column.meanPoints), .score(column.weightedPoints),
                               .percent(column.weightedGoodRate)])
            }
        }
        rows.append([])
        headers.insert(rows.count)
        rows.append((["评议表", "评议人类别"] + countHeaders + ["好评率", "平均分"]).map(XLSXCell.text))
        for form in result.forms {
            guard let overall = form.overall else { continue }
            for group in report.groups {
                let c = overall.byGroup[group.key] ?? .zero
                rows.append([.text(form.form.name), .text(group.name)] + counts(c)
                            + [.percent(c.goodRate), .score(c.meanPoints(report.computed.rules.points))])
            }
        }
        if let outcome {
            rows.append([])
            headers.insert(rows.count)
            rows.append(["考核分项", "权重", "得分"].map(XLSXCell.text))
            for part in outcome.parts { rows.append([.text(part.component.label), .number(part.weight), .score(part.score)]) }
            rows.append([.text("考核综合得分"), .empty, .score(outcome.score)])
            rows.append([.text("综合评定等次"), .empty, .text(outcome.grade?.label ?? "待定")])
        }
        let notes = result.flags.map(\.message) + (outcome?.notes ?? [])
        if !notes.isEmpty { rows.append([.text("说明"), .text(notes.joined(separator: "；"))]) }
        let label = result.rank.map { String(format: "%02d", $0) } ?? "--"
        return XLSXSheet(name: "\(label) \(person?.name ?? "")", rows: rows, headerRows: headers,
                         widths: [18, 16, 7, 7, 7, 7, 7, 7, 9, 9, 9, 10])
    }

    static func workbook(_ report: CampaignReport) -> [XLSXSheet] {
        let summaryRows = summary(report)
        let widths = [6.0, 10, 24, 14, 12, 9, 9, 9] + Array(repeating: 9.0, count: max(0, (summaryRows.first?.count ?? 0) - 8))
        return [XLSXSheet(name: "汇总", rows: summaryRows, widths: widths)] + report.ranked.map { sheet(report, $0) }
    }
}

extension XLSXCell: ExpressibleByStringLiteral {
    init(stringLiteral value: String) { self = .text(value) }
}
