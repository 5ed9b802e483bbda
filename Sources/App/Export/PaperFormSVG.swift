import Foundation
import PingyiCore

/// 评议表的打印页: one page of one form as an A4-landscape SVG in millimetres, drawn from the same geometry the
/// reader measures (`PaperPageGeometry`). Text that would not fit is squeezed to its box (`textLength`), never
/// wrapped mid-word or clipped.
enum PaperFormSVG {
    struct Row {
        var name: String
        var unit: String
    }

    static let font = "Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Micro Hei, Microsoft YaHei, sans-serif"

    static func page(geometry g: PaperPageGeometry, code: PaperPageCode, form: FormTemplate, rows: [Row], title: String,
                     subtitle: String, firstNumber: Int) -> String {
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="297mm" height="210mm" viewBox="0 0 297 210" font-family="\(font)">
            <rect x="0" y="0" width="297" height="210" fill="#fff"/>

            """
        for i in 0..<4 { out += rect(PaperPageGeometry.corner(i), fill: "#000") }
        for (i, bit) in code.bits.enumerated() where bit { out += rect(PaperPageGeometry.codeBit(i), fill: "#000") }
        out += text(title, x: 148.5, y: 25, size: 6, width: 250, anchor: "middle", bold: true)
        out += text(subtitle, x: 148.5, y: 32, size: 3.2, width: 250, anchor: "middle")
        out += text("说明：每个栏目只能选一项，请在所选等次下的方框内画“○”；不选视为弃权，一栏选两项以上该栏无效。不记名，填好后投入票箱。请勿在四角黑块和顶部方格附近书写。",
                    x: 148.5, y: 38, size: 2.7, width: 262, anchor: "middle")
        let headTop = PaperPageGeometry.tableTop
        let gradeY = headTop + PaperPageGeometry.headerHeight - 1.6
        out += text("序号", x: (PaperPageGeometry.numberLeft + PaperPageGeometry.nameLeft) / 2, y: gradeY, size: 2.6, width: 8, anchor: "middle")
        out += text("述职对象", x: (PaperPageGeometry.nameLeft + PaperPageGeometry.boxesLeft) / 2, y: gradeY, size: 3, width: 50, anchor: "middle")
        let grades = ["好", "较好", "一般", "差"]
        for (c, column) in form.columns.enumerated() {
            let left = g.columnLeft(c), span = 4 * g.pitch
            let name = column.kind == .overall ? "总体评价" : column.name
            let lines = split(name, maxUnits: span / 2.9)
            for (i, line) in lines.enumerated() {
                let y = headTop + (lines.count == 1 ? 5.5 : 3.6 + Double(i) * 3.4)
                out += text(line, x: left + span / 2, y: y, size: 2.9, width: span - 0.6, anchor: "middle", bold: column.kind == .overall)
            }
            out += "<line x1=\"\(f(left))\" y1=\"\(f(headTop + 8))\" x2=\"\(f(left + span))\" y2=\"\(f(headTop + 8))\" stroke=\"#777\" stroke-width=\"0.2\"/>\n"
            for (k, grade) in grades.enumerated() {
                out += text(grade, x: left + (Double(k) + 0.5) * g.pitch, y: gradeY, size: 2.5, width: g.pitch - 0.4, anchor: "middle")
            }
        }
        for (r, row) in rows.enumerated() {
            let top = g.rowTop(r)
            out += "<line x1=\"\(f(PaperPageGeometry.numberLeft))\" y1=\"\(f(top))\" x2=\"\(f(PaperPageGeometry.boxesRight))\" y2=\"\(f(top))\" stroke=\"#aaa\" stroke-width=\"0.2\"/>\n"
            out += text(String(firstNumber + r), x: (PaperPageGeometry.numberLeft + PaperPageGeometry.nameLeft) / 2, y: top + 6.6, size: 3, width: 7, anchor: "middle")
            out += text(row.name, x: PaperPageGeometry.nameLeft + 1, y: top + 5, size: 3.6, width: 51, anchor: "start", bold: true)
            out += text(row.unit, x: PaperPageGeometry.nameLeft + 1, y: top + 9, size: 2.5, width: 51, anchor: "start")
            for c in 0..<g.columns {
                for k in 0..<4 {
                    let box = g.box(row: r, column: c, grade: k)
                    out += "<rect x=\"\(f(box.x))\" y=\"\(f(box.y))\" width=\"\(f(box.width))\" height=\"\(f(box.height))\" fill=\"none\" stroke=\"#555\" stroke-width=\"0.25\" rx=\"0.6\"/>\n"
                }
            }
        }
        let bottom = g.rowTop(rows.count)
        out += "<line x1=\"\(f(PaperPageGeometry.numberLeft))\" y1=\"\(f(bottom))\" x2=\"\(f(PaperPageGeometry.boxesRight))\" y2=\"\(f(bottom))\" stroke=\"#aaa\" stroke-width=\"0.2\"/>\n"
        return out + "</svg>\n"
    }

    static func rect(_ r: PageRect, fill: String) -> String {
        "<rect x=\"\(f(r.x))\" y=\"\(f(r.y))\" width=\"\(f(r.width))\" height=\"\(f(r.height))\" fill=\"\(fill)\"/>\n"
    }

    /// A line of text; squeezed into `width` millimetres when its estimated width is more.
    static func text(_ value: String, x: Double, y: Double, size: Double, width: Double, anchor: String, bold: Bool = false) -> String {
        let estimate = units(value) * size
        let fit = estimate > width ? " textLength=\"\(f(width))\" lengthAdjust=\"spacingAndGlyphs\"" : ""
        return "<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(f(size))\" text-anchor=\"\(anchor)\"\(bold ? " font-weight=\"bold\"" : "")\(fit)>"
            + XML.escape(value) + "</text>\n"
    }

    /// Width in ems: CJK and full-width characters one, others about half.
    static func units(_ value: String) -> Double {
        value.unicodeScalars.reduce(0) { $0 + ($1.value < 0x2E80 ? 0.56 : 1) }
    }

    /// One line, or two halves of similar width when one would have to be squeezed hard.
    static func split(_ value: String, maxUnits: Double) -> [String] {
        guard units(value) > maxUnits * 1.15, value.count >= 4 else { return [value] }
        let chars = Array(value)
        let half = chars.count / 2
        return [String(chars[..<half]), String(chars[half...])]
    }

    static func f(_ v: Double) -> String { String(format: "%.2f", v) }
}
