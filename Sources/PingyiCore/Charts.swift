import Foundation

/// Charts for result sheets, drawn as SVG text on the server so they print as crisply as the tables around them.
public enum ResultChart {
    /// One bar of a chart: a label and the counts behind it.
    public struct Row: Sendable, Hashable {
        public var label: String
        public var counts: GradeCounts

        public init(_ label: String, _ counts: GradeCounts) {
            self.label = label
            self.counts = counts
        }
    }

    /// Segment fills from 好 to 弃权: dark to light, so they stay apart on a grey printer; each segment also carries
    /// its count as text.
    static let fills = ["#1f4e79", "#5b8fc7", "#c9a227", "#b03a2e", "#d9d9d9"]
    static let inkOn = ["#ffffff", "#ffffff", "#000000", "#ffffff", "#000000"]

    /// Horizontal 100% bars, one per row: 好, 较好, 一般, 差, 弃权 (voids are left out: they carry no opinion), with
    /// 好评率 at the right end. Rows without any ballot draw an empty frame marked 无票.
    public static func distribution(title: String, rows: [Row]) -> String {
        let width = 640.0, labelWidth = 150.0, rateWidth = 90.0, rowHeight = 26.0, top = 48.0
        let barWidth = width - labelWidth - rateWidth - 10
        let height = top + Double(rows.count) * (rowHeight + 8) + 8
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(fmt(width))" height="\(fmt(height))" viewBox="0 0 \(fmt(width)) \(fmt(height))" \
            font-family="'Noto Sans CJK SC','Microsoft YaHei',sans-serif" font-size="12" role="img" aria-label="\(XML.escape(title))">
            <title>\(XML.escape(title))</title>
            <text x="0" y="16" font-size="14" font-weight="bold">\(XML.escape(title))</text>

            """
        let names = Grade.allCases.map(\.label) + ["弃权"]
        var x = labelWidth
        for (index, name) in names.enumerated() {
            svg += "<rect x=\"\(fmt(x))\" y=\"26\" width=\"12\" height=\"12\" fill=\"\(fills[index])\" stroke=\"#000\" stroke-width=\"0.5\"/>"
            svg += "<text x=\"\(fmt(x + 16))\" y=\"36\">\(name)</text>\n"
            x += 56
        }
        svg += "<text x=\"\(fmt(width))\" y=\"36\" text-anchor=\"end\">好评率</text>\n"
        for (index, row) in rows.enumerated() {
            let y = top + Double(index) * (rowHeight + 8)
            let values = Grade.allCases.map { row.counts[$0] } + [row.counts.abstentions]
            let total = values.reduce(0, +)
            svg += "<text x=\"\(fmt(labelWidth - 6))\" y=\"\(fmt(y + rowHeight / 2 + 4))\" text-anchor=\"end\">\(XML.escape(clip(row.label)))</text>\n"
            svg += "<rect x=\"\(fmt(labelWidth))\" y=\"\(fmt(y))\" width=\"\(fmt(barWidth))\" height=\"\(fmt(rowHeight))\" fill=\"none\" stroke=\"#888\" stroke-width=\"0.5\"/>\n"
            if total == 0 {
                svg += "<text x=\"\(fmt(labelWidth + barWidth / 2))\" y=\"\(fmt(y + rowHeight / 2 + 4))\" text-anchor=\"middle\" fill=\"#666\">无票</text>\n"
            }
            var start = labelWidth
            for (segment, value) in values.enumerated() where value > 0 && total > 0 {
                let w = barWidth * Double(value) / Double(total)
                svg += "<rect x=\"\(fmt(start))\" y=\"\(fmt(y))\" width=\"\(fmt(w))\" height=\"\(fmt(rowHeight))\" fill=\"\(fills[segment])\"><title>\(names[segment]) \(value)</title></rect>"
                if w >= 18 {
                    svg += "<text x=\"\(fmt(start + w / 2))\" y=\"\(fmt(y + rowHeight / 2 + 4))\" text-anchor=\"middle\" fill=\"\(inkOn[segment])\">\(value)</text>"
                }
                svg += "\n"
                start += w
            }
            let rate = row.counts.goodRate.map { percent($0) } ?? "—"
            svg += "<text x=\"\(fmt(width))\" y=\"\(fmt(y + rowHeight / 2 + 4))\" text-anchor=\"end\">\(rate)</text>\n"
        }
        svg += "</svg>\n"
        return svg
    }

    /// "87.5%": one decimal, as result sheets print it.
    public static func percent(_ share: Double) -> String {
        String(format: "%.1f%%", share * 100)
    }

    static func fmt(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
    }

    static func clip(_ label: String) -> String { label.count > 12 ? String(label.prefix(11)) + "…" : label }
}
