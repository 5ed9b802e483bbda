import Foundation
import PingyiCore
import ZIPFoundation

/// One cell of an exported sheet: numbers stay numbers so Excel can sum and sort them.
enum XLSXCell: Sendable, Hashable {
    case text(String)
    case number(Double)
    /// A share (0.875) shown as 87.5%.
    case percent(Double)
    /// A score shown with two decimals.
    case score(Double)
    case empty

    static func text(_ value: String?) -> XLSXCell { value.map(XLSXCell.text) ?? .empty }
    static func number(_ value: Int) -> XLSXCell { .number(Double(value)) }
    static func percent(_ value: Double?) -> XLSXCell { value.map(XLSXCell.percent) ?? .empty }
    static func score(_ value: Double?) -> XLSXCell { value.map(XLSXCell.score) ?? .empty }
}

extension Archive {
    /// Adds a UTF-8 text part, deflated (the parts of XLSX and DOCX packages).
    func addText(_ path: String, _ text: String) throws {
        let data = Data(text.utf8)
        try addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
            data.subdata(in: Int(position)..<Int(position) + size)
        }
    }
}

struct XLSXSheet: Sendable {
    var name: String
    var rows: [[XLSXCell]]
    /// Rows shown bold (headers).
    var headerRows: Set<Int> = [0]
    /// Column widths in characters; the rest are Excel's default.
    var widths: [Double] = []
}

/// Writes a workbook (Office Open XML, inline strings) with ZIPFoundation. Sheet names are made valid and unique.
enum XLSXWriter {
    static func workbook(_ sheets: [XLSXSheet]) throws -> Data {
        let archive = try Archive(accessMode: .create)
        let names = uniqueSheetNames(sheets.map(\.name))
        func add(_ path: String, _ text: String) throws { try archive.addText(path, text) }
        try add("[Content_Types].xml", contentTypes(count: sheets.count))
        try add("_rels/.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
            </Relationships>
            """)
        try add("xl/workbook.xml", workbookXML(names))
        try add("xl/_rels/workbook.xml.rels", workbookRels(count: sheets.count))
        try add("xl/styles.xml", styles)
        for (index, sheet) in sheets.enumerated() {
            try add("xl/worksheets/sheet\(index + 1).xml", sheetXML(sheet))
        }
        guard let data = archive.data else { throw CocoaError(.fileWriteUnknown) }
        return data
    }

    /// Excel refuses names over 31 characters, with []:*?/\ , or repeated (case-insensitively).
    static func uniqueSheetNames(_ names: [String]) -> [String] {
        var used = Set<String>()
        return names.map { raw in
            var base = String(raw.map { "[]:*?/\\".contains($0) ? "_" : $0 }).trimmingCharacters(in: .whitespaces)
            if base.isEmpty { base = "Sheet" }
            var candidate = String(base.prefix(31))
            var n = 2
            while used.contains(candidate.lowercased()) {
                let suffix = "(\(n))"
                candidate = String(base.prefix(31 - suffix.count)) + suffix
                n += 1
            }
            used.insert(candidate.lowercased())
            return candidate
        }
    }

    /// "A", "B", … "Z", "AA", …
    static func columnName(_ index: Int) -> String {
        var n = index + 1
        var name = ""
        while n > 0 {
            let r = (n - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + r))) + name
            n = (n - 1) / 26
        }
        return name
    }

    static func sheetXML(_ sheet: XLSXSheet) -> String {
        var xml = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
            """
        if !sheet.widths.isEmpty {
            xml += "<cols>"
            for (index, width) in sheet.widths.enumerated() {
                xml += "<col min=\"\(index + 1)\" max=\"\(index + 1)\" width=\"\(width)\" customWidth=\"1\"/>"
            }
            xml += "</cols>"
        }
        xml += "<sheetData>"
        for (r, row) in sheet.rows.enumerated() {
            xml += "<row r=\"\(r + 1)\">"
            let bold = sheet.headerRows.contains(r)
            for (c, cell) in row.enumerated() {
                let ref = columnName(c) + String(r + 1)
                switch cell {
                case .text(let text):
                    xml += "<c r=\"\(ref)\" t=\"inlineStr\"\(bold ? " s=\"1\"" : "")><is><t xml:space=\"preserve\">\(XML.escape(text))</t></is></c>"
                case .number(let value) where value.isFinite:
                    xml += "<c r=\"\(ref)\"><v>\(number(value))</v></c>"
                case .score(let value) where value.isFinite:
                    xml += "<c r=\"\(ref)\" s=\"2\"><v>\(number(value))</v></c>"
                case .percent(let value) where value.isFinite:
                    xml += "<c r=\"\(ref)\" s=\"3\"><v>\(number(value))</v></c>"
                case .number, .score, .percent, .empty:
                    continue
                }
            }
            xml += "</row>"
        }
        xml += "</sheetData><pageSetup paperSize=\"9\" orientation=\"landscape\"/></worksheet>"
        return xml
    }

    /// Shortest text that reads back as the same Double.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }

    static func contentTypes(count: Int) -> String {
        var xml = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
            <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
            <Default Extension="xml" ContentType="application/xml"/>\
            <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
            <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
            """
        for index in stride(from: 1, through: count, by: 1) {
            xml += "<Override PartName=\"/xl/worksheets/sheet\(index).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        }
        return xml + "</Types>"
    }

    static func workbookXML(_ names: [String]) -> String {
        var xml = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
            xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>
            """
        for (index, name) in names.enumerated() {
            xml += "<sheet name=\"\(XML.escape(name))\" sheetId=\"\(index + 1)\" r:id=\"rId\(index + 1)\"/>"
        }
        return xml + "</sheets></workbook>"
    }

    static func workbookRels(count: Int) -> String {
        var xml = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
            """
        for index in 0..<count {
            xml += "<Relationship Id=\"rId\(index + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet\(index + 1).xml\"/>"
        }
        xml += "<Relationship Id=\"rId\(count + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
        return xml + "</Relationships>"
    }

    /// Styles: 0 plain, 1 bold header, 2 two decimals, 3 percent with one decimal.
    static let styles = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
        <numFmts count="2"><numFmt numFmtId="164" formatCode="0.00"/><numFmt numFmtId="165" formatCode="0.0%"/></numFmts>\
        <fonts count="2"><font><sz val="11"/><name val="宋体"/></font><font><b/><sz val="11"/><name val="宋体"/></font></fonts>\
        <fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
        <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
        <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
        <cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
        <xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
        <xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
        <xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>\
        <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
        </styleSheet>
        """
}
