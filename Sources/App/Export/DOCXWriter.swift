import Foundation
import ZIPFoundation

/// A run of text in a paragraph; line breaks in `text` become `<w:br/>`.
struct DOCXRun: Sendable, Hashable {
    var text: String
    var bold = false
    /// Red (发文机关标志).
    var red = false
    init(_ text: String, bold: Bool = false, red: Bool = false) {
        self.text = text
        self.bold = bold
        self.red = red
    }
}

/// The paragraph styles of a 公文 (GB/T 9704-2012), defined in `styles.xml`.
enum DOCXStyle: String, Sendable {
    /// 正文: 3号 仿宋_GB2312, first line indented two characters.
    case body = "Body"
    /// 正文 without the indent (主送机关, 附件说明, table captions).
    case plain = "Plain"
    /// 标题: 2号 方正小标宋简体, centred.
    case title = "DocTitle"
    /// 一级标题: 3号 黑体.
    case heading1 = "Heading1"
    /// 二级标题: 3号 楷体_GB2312.
    case heading2 = "Heading2"
    /// 发文机关标志: 方正小标宋简体 in red, centred.
    case issuerMark = "IssuerMark"
    /// 发文字号: centred, with the red separator line under it.
    case docNumber = "DocNumber"
    /// 落款 and 成文日期: right-aligned, four characters in.
    case signature = "Signature"
    /// Table cells: 4号 仿宋_GB2312, single spacing.
    case cell = "Cell"
    /// Table header cells: 4号 黑体, centred.
    case cellHeader = "CellHeader"
    /// “附件” over an attachment: 3号 黑体, at the left edge.
    case attachmentMark = "AttachmentMark"
}

struct DOCXTable: Sendable {
    var header: [String]
    var rows: [[String]]
    /// Relative column widths; they share the text block's width.
    var widths: [Double]
    /// Columns of running text (a problem, a plan, a comment): left-aligned instead of centred.
    var leftAligned: Set<Int> = []
}

enum DOCXBlock: Sendable {
    case paragraph(DOCXStyle, [DOCXRun])
    case table(DOCXTable)
    /// Ends a section (the next starts on a new page): one secretary per section in a combined 反馈意见书.
    case sectionBreak
    /// The next block starts on a new page, in the same section (an 附件).
    case pageBreak

    static func text(_ style: DOCXStyle, _ text: String) -> DOCXBlock { .paragraph(style, [DOCXRun(text)]) }
}

/// 版记: 抄送 and the 印发机关 with the 印发日期, at the foot of the last page.
struct DOCXRecord: Sendable {
    var copyTo: String
    var printer: String
    var printDate: String
}

struct DOCXDocument: Sendable {
    var blocks: [DOCXBlock]
    var record: DOCXRecord?
    var landscape = false
    var title: String
}

/// Writes WordprocessingML with ZIPFoundation, laid out per GB/T 9704-2012: A4, text block 156 × 225 mm at 37 mm from
/// the top and 28 mm from the left, a 22 × 28 document grid, page numbers “— 1 —” (odd right, even left).
enum DOCXWriter {
    /// 1 mm in twips (1/1440 inch).
    static func twips(_ mm: Double) -> Int { Int((mm * 1440 / 25.4).rounded()) }

    struct Page {
        var width, height, top, bottom, left, right: Int
        var blockWidth: Int { width - left - right }
    }

    static func page(landscape: Bool) -> Page {
        let a4w = twips(210), a4h = twips(297)
        if landscape {
            // The portrait block turned a quarter clockwise, as a landscape table is bound into a 公文: the 28 mm binding
            // edge on top, the 37 mm head edge on the right; 225 mm wide, 156 mm high.
            return Page(width: a4h, height: a4w, top: twips(28), bottom: twips(210 - 28 - 156), left: twips(297 - 37 - 225), right: twips(37))
        }
        return Page(width: a4w, height: a4h, top: twips(37), bottom: twips(297 - 37 - 225), left: twips(28), right: twips(210 - 28 - 156))
    }

    static func document(_ doc: DOCXDocument) throws -> Data {
        let archive = try Archive(accessMode: .create)
        func add(_ path: String, _ text: String) throws { try archive.addText(path, text) }
        try add("[Content_Types].xml", contentTypes)
        try add("_rels/.rels", """
            \(xmlHead)<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>\
            <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>\
            </Relationships>
            """)
        try add("docProps/core.xml", """
            \(xmlHead)<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" \
            xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>\(escape(doc.title))</dc:title><dc:creator>Pingyi</dc:creator></cp:coreProperties>
            """)
        try add("word/_rels/document.xml.rels", """
            \(xmlHead)<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
            <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>\
            <Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable" Target="fontTable.xml"/>\
            <Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>\
            <Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer2.xml"/>\
            </Relationships>
            """)
        try add("word/styles.xml", styles)
        try add("word/settings.xml", """
            \(xmlHead)<w:settings xmlns:w="\(wns)"><w:defaultTabStop w:val="420"/><w:evenAndOddHeaders/>\
            <w:compat><w:doNotExpandShiftReturn/></w:compat></w:settings>
            """)
        try add("word/fontTable.xml", fontTable)
        try add("word/footer1.xml", footer(odd: true))
        try add("word/footer2.xml", footer(odd: false))
        try add("word/document.xml", body(doc))
        guard let data = archive.data else { throw CocoaError(.fileWriteUnknown) }
        return data
    }

    static let xmlHead = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    static let wns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    static let rns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    static let contentTypes = """
        \(xmlHead)<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
        <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
        <Default Extension="xml" ContentType="application/xml"/>\
        <Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>\
        <Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>\
        <Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>\
        <Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/>\
        <Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>\
        <Override PartName="/word/footer2.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>\
        <Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>\
        </Types>
        """

    /// Text made safe for XML: markup escaped, characters XML 1.0 forbids dropped.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                if v < 0x20 || (0xFFFE...0xFFFF).contains(v) { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Fonts with their East Asian fallbacks (`altName`), so a machine without the GB fonts still shows Chinese in
    /// the right weight: 仿宋_GB2312 → 仿宋, 方正小标宋简体 → 宋体 (bold), 楷体_GB2312 → 楷体, 黑体 → SimHei.
    static let fonts: [(name: String, alt: String, family: String)] = [
        ("仿宋_GB2312", "仿宋", "modern"), ("方正小标宋简体", "宋体", "script"), ("黑体", "SimHei", "modern"),
        ("楷体_GB2312", "楷体", "modern"), ("宋体", "SimSun", "auto"), ("Times New Roman", "Liberation Serif", "roman"),
    ]

    static let fontTable: String = {
        var xml = "\(xmlHead)<w:fonts xmlns:w=\"\(wns)\">"
        for font in fonts {
            let charset = font.name == "Times New Roman" ? "00" : "86"
            xml += "<w:font w:name=\"\(font.name)\"><w:altName w:val=\"\(font.alt)\"/><w:charset w:val=\"\(charset)\"/><w:family w:val=\"\(font.family)\"/><w:pitch w:val=\"variable\"/></w:font>"
        }
        return xml + "</w:fonts>"
    }()

    static func fontsXML(_ eastAsia: String, ascii: String = "Times New Roman") -> String {
        "<w:rFonts w:ascii=\"\(ascii)\" w:hAnsi=\"\(ascii)\" w:eastAsia=\"\(eastAsia)\" w:cs=\"\(ascii)\"/>"
    }

    /// 3号 = 16 pt = sz 32; 2号 = 22 pt = sz 44; 4号 = 14 pt = sz 28.
    static let styles: String = {
        func paragraphStyle(_ id: DOCXStyle, _ name: String, ppr: String, rpr: String) -> String {
            "<w:style w:type=\"paragraph\" w:customStyle=\"1\" w:styleId=\"\(id.rawValue)\"><w:name w:val=\"\(name)\"/><w:basedOn w:val=\"Normal\"/><w:qFormat/>"
                + "<w:pPr>\(ppr)</w:pPr><w:rPr>\(rpr)</w:rPr></w:style>"
        }
        return "\(xmlHead)<w:styles xmlns:w=\"\(wns)\">"
            + "<w:docDefaults><w:rPrDefault><w:rPr>\(fontsXML("仿宋_GB2312"))<w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/></w:rPr></w:rPrDefault>"
            + "<w:pPrDefault><w:pPr><w:overflowPunct w:val=\"0\"/><w:snapToGrid w:val=\"1\"/><w:spacing w:before=\"0\" w:after=\"0\"/><w:jc w:val=\"both\"/></w:pPr></w:pPrDefault></w:docDefaults>"
            + "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/>"
            // 28 characters of 16 pt are 158 mm, 2 mm over the block: condensed by 0.25 pt they make 28 to a line.
            // (No character grid: LibreOffice gives a character wider than its cell two cells, 15 to a line.)
            + "<w:rPr>\(fontsXML("仿宋_GB2312"))<w:spacing w:val=\"-5\"/><w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/></w:rPr></w:style>"
            + "<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/><w:tblPr><w:tblCellMar><w:left w:w=\"85\" w:type=\"dxa\"/><w:right w:w=\"85\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>"
            + paragraphStyle(.body, "正文（公文）", ppr: "<w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/>", rpr: "")
            + paragraphStyle(.plain, "正文无缩进", ppr: "", rpr: "")
            + paragraphStyle(.title, "公文标题", ppr: "<w:snapToGrid w:val=\"0\"/><w:spacing w:before=\"0\" w:after=\"579\" w:line=\"240\" w:lineRule=\"auto\"/><w:jc w:val=\"center\"/>",
                             rpr: fontsXML("方正小标宋简体") + "<w:sz w:val=\"44\"/><w:szCs w:val=\"44\"/>")
            + paragraphStyle(.heading1, "一级标题", ppr: "<w:keepNext/><w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/><w:outlineLvl w:val=\"0\"/>",
                             rpr: fontsXML("黑体"))
            + paragraphStyle(.heading2, "二级标题", ppr: "<w:keepNext/><w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/><w:outlineLvl w:val=\"1\"/>",
                             rpr: fontsXML("楷体_GB2312"))
            + paragraphStyle(.issuerMark, "发文机关标志", ppr: "<w:snapToGrid w:val=\"0\"/><w:spacing w:before=\"0\" w:after=\"600\" w:line=\"240\" w:lineRule=\"auto\"/><w:jc w:val=\"center\"/>",
                             rpr: fontsXML("方正小标宋简体") + "<w:color w:val=\"FF0000\"/><w:spacing w:val=\"20\"/><w:sz w:val=\"72\"/><w:szCs w:val=\"72\"/>")
            + paragraphStyle(.docNumber, "发文字号", ppr: "<w:pBdr><w:bottom w:val=\"single\" w:sz=\"12\" w:space=\"10\" w:color=\"FF0000\"/></w:pBdr><w:spacing w:after=\"579\"/><w:jc w:val=\"center\"/>",
                             rpr: "")
            + paragraphStyle(.signature, "落款", ppr: "<w:ind w:right=\"1280\" w:rightChars=\"400\"/><w:jc w:val=\"right\"/>", rpr: "")
            + paragraphStyle(.cell, "表格文字", ppr: "<w:snapToGrid w:val=\"0\"/><w:spacing w:line=\"240\" w:lineRule=\"auto\"/><w:jc w:val=\"center\"/>",
                             rpr: "<w:sz w:val=\"24\"/><w:szCs w:val=\"24\"/>")
            + paragraphStyle(.attachmentMark, "附件标识", ppr: "<w:keepNext/>", rpr: fontsXML("黑体"))
            + paragraphStyle(.cellHeader, "表头", ppr: "<w:snapToGrid w:val=\"0\"/><w:spacing w:line=\"240\" w:lineRule=\"auto\"/><w:jc w:val=\"center\"/>",
                             rpr: fontsXML("黑体") + "<w:sz w:val=\"24\"/><w:szCs w:val=\"24\"/>")
            + "</w:styles>"
    }()

    /// Page number “— 1 —” in 4号 宋体, one character in from the block's edge: odd pages right, even pages left.
    static func footer(odd: Bool) -> String {
        let rpr = "<w:rPr>\(fontsXML("宋体", ascii: "宋体"))<w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/></w:rPr>"
        let ind = odd ? "<w:ind w:right=\"280\"/>" : "<w:ind w:left=\"280\"/>"
        return "\(xmlHead)<w:ftr xmlns:w=\"\(wns)\"><w:p><w:pPr><w:snapToGrid w:val=\"0\"/>\(ind)<w:jc w:val=\"\(odd ? "right" : "left")\"/></w:pPr>"
            + "<w:r>\(rpr)<w:t xml:space=\"preserve\">— </w:t></w:r>"
            + "<w:r>\(rpr)<w:fldChar w:fldCharType=\"begin\"/></w:r><w:r>\(rpr)<w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>"
            + "<w:r>\(rpr)<w:fldChar w:fldCharType=\"separate\"/></w:r><w:r>\(rpr)<w:t>1</w:t></w:r><w:r>\(rpr)<w:fldChar w:fldCharType=\"end\"/></w:r>"
            + "<w:r>\(rpr)<w:t xml:space=\"preserve\"> —</w:t></w:r></w:p></w:ftr>"
    }

    /// Every section numbers its pages from 1: each letter of a combined 反馈意见书 is a document of its own.
    static func sectionProperties(_ doc: DOCXDocument) -> String {
        let p = page(landscape: doc.landscape)
        // 22 lines in 225 mm (a line grid; 28 characters a line come from the condensed Normal style).
        let linePitch = doc.landscape ? 579 : Int((Double(twips(225)) / 22).rounded(.down))
        // The number's line starts 7 mm under the block (its line is about 6 mm high).
        let footerFromEdge = p.bottom - twips(7) - twips(6)
        return "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rId4\"/><w:footerReference w:type=\"even\" r:id=\"rId5\"/>"
            + "<w:pgSz w:w=\"\(p.width)\" w:h=\"\(p.height)\"\(doc.landscape ? " w:orient=\"landscape\"" : "")/>"
            + "<w:pgMar w:top=\"\(p.top)\" w:right=\"\(p.right)\" w:bottom=\"\(p.bottom)\" w:left=\"\(p.left)\" w:header=\"851\" w:footer=\"\(max(footerFromEdge, 400))\" w:gutter=\"0\"/>"
            + "<w:pgNumType w:start=\"1\"/>"
            + "<w:docGrid w:type=\"lines\" w:linePitch=\"\(linePitch)\"/></w:sectPr>"
    }

    static func runs(_ runs: [DOCXRun]) -> String {
        runs.map { run in
            var rpr = ""
            if run.bold { rpr += "<w:b/><w:bCs/>" }
            if run.red { rpr += "<w:color w:val=\"FF0000\"/>" }
            let lines = run.text.components(separatedBy: "\n")
            let inner = lines.map { "<w:t xml:space=\"preserve\">\(escape($0))</w:t>" }.joined(separator: "<w:br/>")
            return "<w:r>\(rpr.isEmpty ? "" : "<w:rPr>\(rpr)</w:rPr>")\(inner)</w:r>"
        }.joined()
    }

    static func paragraph(_ style: DOCXStyle, _ content: [DOCXRun], extra: String = "") -> String {
        "<w:p><w:pPr><w:pStyle w:val=\"\(style.rawValue)\"/>\(extra)</w:pPr>\(runs(content))</w:p>"
    }

    static func table(_ table: DOCXTable, width: Int) -> String {
        let total = max(table.widths.reduce(0, +), 1)
        let columns = table.widths.map { Int(Double(width) * $0 / total) }
        var xml = "<w:tbl><w:tblPr><w:tblW w:w=\"\(width)\" w:type=\"dxa\"/><w:jc w:val=\"center\"/><w:tblBorders>"
        for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
            xml += "<w:\(side) w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
        }
        xml += "</w:tblBorders><w:tblLayout w:type=\"fixed\"/></w:tblPr><w:tblGrid>"
        xml += columns.map { "<w:gridCol w:w=\"\($0)\"/>" }.joined() + "</w:tblGrid>"
        func row(_ cells: [String], header: Bool) -> String {
            // The header row repeats on every page; no row is split across pages.
            var r = "<w:tr><w:trPr><w:cantSplit/>\(header ? "<w:tblHeader/>" : "")</w:trPr>"
            for (index, width) in columns.enumerated() {
                let text = index < cells.count ? cells[index] : ""
                let left = !header && table.leftAligned.contains(index)
                r += "<w:tc><w:tcPr><w:tcW w:w=\"\(width)\" w:type=\"dxa\"/><w:vAlign w:val=\"center\"/></w:tcPr>"
                    + paragraph(header ? .cellHeader : .cell, [DOCXRun(text)], extra: left ? "<w:jc w:val=\"left\"/>" : "") + "</w:tc>"
            }
            return r + "</w:tr>"
        }
        xml += row(table.header, header: true)
        for cells in table.rows { xml += row(cells, header: false) }
        return xml + "</w:tbl>"
    }

    /// 版记 as a table anchored to the bottom of the text block: 抄送 over 印发机关 and 印发日期, with the lines the
    /// standard draws (thicker first and last).
    static func record(_ record: DOCXRecord, width: Int) -> String {
        let rpr = "<w:rPr><w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/></w:rPr>"
        func cell(_ content: String) -> String {
            "<w:tc><w:tcPr><w:tcW w:w=\"\(width)\" w:type=\"dxa\"/></w:tcPr>\(content)</w:tc>"
        }
        let copy = "<w:p><w:pPr><w:pStyle w:val=\"Plain\"/><w:snapToGrid w:val=\"0\"/><w:ind w:left=\"280\" w:right=\"280\"/></w:pPr>"
            + "<w:r>\(rpr)<w:t xml:space=\"preserve\">抄送：\(escape(record.copyTo))。</w:t></w:r></w:p>"
        let printer = "<w:p><w:pPr><w:pStyle w:val=\"Plain\"/><w:tabs><w:tab w:val=\"right\" w:pos=\"\(width - 400)\"/></w:tabs><w:snapToGrid w:val=\"0\"/><w:ind w:left=\"280\" w:right=\"280\"/></w:pPr>"
            + "<w:r>\(rpr)<w:t xml:space=\"preserve\">\(escape(record.printer))</w:t></w:r><w:r>\(rpr)<w:tab/></w:r>"
            + "<w:r>\(rpr)<w:t xml:space=\"preserve\">\(escape(record.printDate))印发</w:t></w:r></w:p>"
        return "<w:tbl><w:tblPr><w:tblpPr w:leftFromText=\"0\" w:rightFromText=\"0\" w:vertAnchor=\"margin\" w:horzAnchor=\"margin\" w:tblpYSpec=\"bottom\"/>"
            + "<w:tblW w:w=\"\(width)\" w:type=\"dxa\"/><w:tblBorders><w:top w:val=\"single\" w:sz=\"8\" w:space=\"0\" w:color=\"000000\"/>"
            + "<w:bottom w:val=\"single\" w:sz=\"8\" w:space=\"0\" w:color=\"000000\"/><w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/></w:tblBorders>"
            + "<w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:left w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"0\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr>"
            + "<w:tblGrid><w:gridCol w:w=\"\(width)\"/></w:tblGrid>"
            + "<w:tr><w:trPr><w:cantSplit/></w:trPr>\(cell(copy))</w:tr><w:tr><w:trPr><w:cantSplit/></w:trPr>\(cell(printer))</w:tr></w:tbl>"
    }

    static func body(_ doc: DOCXDocument) -> String {
        let width = page(landscape: doc.landscape).blockWidth
        var xml = "\(xmlHead)<w:document xmlns:w=\"\(wns)\" xmlns:r=\"\(rns)\"><w:body>"
        for block in doc.blocks {
            switch block {
            case .paragraph(let style, let content): xml += paragraph(style, content)
            case .table(let table): xml += self.table(table, width: width)
            case .sectionBreak: xml += "<w:p><w:pPr>\(sectionProperties(doc))</w:pPr></w:p>"
            case .pageBreak: xml += "<w:p><w:pPr><w:pStyle w:val=\"Plain\"/></w:pPr><w:r><w:br w:type=\"page\"/></w:r></w:p>"
            }
        }
        if let record = doc.record { xml += self.record(record, width: width) }
        // A paragraph after a table, as Word requires one before the section's end.
        xml += "<w:p><w:pPr><w:pStyle w:val=\"Plain\"/></w:pPr></w:p>"
        return xml + sectionProperties(doc) + "</w:body></w:document>"
    }
}
