import Foundation
import PingyiCore

/// Reads the first worksheet of an XLSX workbook as text records, one per row, with the row numbers Excel shows.
enum XLSXReader {
    static let maxUncompressedBytes = 50 * 1024 * 1024

    static func firstSheet(_ data: Data) throws(ImportFailure) -> [CSVRecord] {
        let bad = ImportFailure([ImportIssue(line: 0, message: "无法读取 XLSX 文件，请用 Excel 或 WPS 另存为 .xlsx 后重试")])
        guard let zip = UploadedZip(data) else { throw bad }
        func read(_ path: String) -> Data? {
            zip.file(path, limit: maxUncompressedBytes).flatMap { safeForXMLParser($0) ? $0 : nil }
        }
        let sheetPath = firstSheetPath(workbook: read("xl/workbook.xml"), rels: read("xl/_rels/workbook.xml.rels"))
        guard let sheet = read(sheetPath) else { throw bad }
        let shared = read("xl/sharedStrings.xml").map(SharedStringsParser.parse) ?? []
        let parsed = SheetParser.parse(sheet, sharedStrings: shared)
        guard let parsed else { throw bad }
        if let line = parsed.tooWide {
            throw ImportFailure([ImportIssue(line: line, message: "有内容超出第 \(SheetParser.maxColumns) 列，导入表用不到这么多列，请删去多余的列")])
        }
        let rows = parsed.records
        return rows
    }

    /// Only what a spreadsheet writes reaches the XML reader: valid UTF-8 and no document type (entity declarations
    /// could expand without end; a workbook part never has one).
    static func safeForXMLParser(_ data: Data) -> Bool {
        guard String(data: data, encoding: .utf8) != nil else { return false }
        return data.range(of: Data("<!DOCTYPE".utf8)) == nil && data.range(of: Data("<!ENTITY".utf8)) == nil
    }

    /// The path of the first `<sheet>` in the workbook, through its relationship; `sheet1.xml` as a fallback.
    static func firstSheetPath(workbook: Data?, rels: Data?) -> String {
        let fallback = "xl/worksheets/sheet1.xml"
        guard let workbook, let rels else { return fallback }
        let sheetRel = AttributeCollector.first(element: "sheet", attribute: "r:id", in: workbook)
        guard let sheetRel else { return fallback }
        let targets = AttributeCollector.all(element: "Relationship", in: rels)
        guard let target = targets.first(where: { $0["Id"] == sheetRel })?["Target"] else { return fallback }
        if target.hasPrefix("/") { return String(target.dropFirst()) }
        return "xl/" + target
    }
}

/// Collects the attributes of elements with a given name.
private final class AttributeCollector: XMLEventHandler {
    let element: String
    var found: [[String: String]] = []

    init(element: String) { self.element = element }

    static func all(element: String, in data: Data) -> [[String: String]] {
        let collector = AttributeCollector(element: element)
        _ = XMLEvents.parse(data, into: collector)
        return collector.found
    }

    static func first(element: String, attribute: String, in data: Data) -> String? {
        all(element: element, in: data).first?[attribute]
    }

    func start(_ name: String, attributes: [String: String]) {
        if name == element || name.hasSuffix(":" + element) { found.append(attributes) }
    }
}

/// `xl/sharedStrings.xml`: `<si>` items, each the concatenation of its `<t>` texts (rich text has several runs).
private final class SharedStringsParser: XMLEventHandler {
    var strings: [String] = []
    var current = ""
    var inText = false
    var inPhonetic = false

    static func parse(_ data: Data) -> [String] {
        let delegate = SharedStringsParser()
        _ = XMLEvents.parse(data, into: delegate)
        return delegate.strings
    }

    func start(_ name: String, attributes: [String: String]) {
        switch name {
        case "si": current = ""
        case "t": inText = true
        case "rPh": inPhonetic = true
        default: break
        }
    }

    func text(_ string: String) {
        if inText && !inPhonetic { current += string }
    }

    func end(_ name: String) {
        switch name {
        case "si": strings.append(current)
        case "t": inText = false
        case "rPh": inPhonetic = false
        default: break
        }
    }
}

/// A worksheet's `<row r=…><c r=… t=…><v>…</v></c></row>` into records; column letters place each cell.
private final class SheetParser: XMLEventHandler {
    let shared: [String]
    var records: [CSVRecord] = []
    var rowNumber = 0
    var cells: [Int: String] = [:]
    var cellColumn = 0
    var cellType = ""
    var value = ""
    var capturing = false
    var nextColumn = 0
    var failed = false
    /// The first row with text beyond `maxColumns`: a record is as wide as its last column, so a lone cell in column
    /// XFD would otherwise make a 16,384-field row out of a few bytes of file.
    var tooWide: Int?
    /// Far more than any import here uses (five columns); empty cells past it are dropped.
    static let maxColumns = 64

    init(shared: [String]) { self.shared = shared }

    static func parse(_ data: Data, sharedStrings: [String]) -> (records: [CSVRecord], tooWide: Int?)? {
        let delegate = SheetParser(shared: sharedStrings)
        guard XMLEvents.parse(data, into: delegate), !delegate.failed else { return nil }
        return (delegate.records, delegate.tooWide)
    }

    static func columnIndex(_ reference: String) -> Int? {
        var index = 0
        var letters = 0
        for scalar in reference.unicodeScalars {
            guard scalar.value >= 65, scalar.value <= 90 else { break }
            index = index * 26 + Int(scalar.value - 64)
            letters += 1
        }
        return letters == 0 || letters > 3 ? nil : index - 1
    }

    func start(_ name: String, attributes: [String: String]) {
        switch name {
        case "row":
            rowNumber = attributes["r"].flatMap(Int.init) ?? rowNumber + 1
            cells = [:]
            nextColumn = 0
        case "c":
            cellColumn = attributes["r"].flatMap(Self.columnIndex) ?? nextColumn
            cellType = attributes["t"] ?? ""
            value = ""
        case "v", "t":
            capturing = true
        default: break
        }
    }

    func text(_ string: String) {
        if capturing { value += string }
    }

    func end(_ name: String) {
        switch name {
        case "v", "t":
            capturing = false
        case "c":
            var text = value
            if cellType == "s" {
                guard let index = Int(value), shared.indices.contains(index) else { failed = true; return }
                text = shared[index]
            } else if cellType == "b" {
                text = value == "1" ? "TRUE" : "FALSE"
            } else if cellType.isEmpty || cellType == "n", let number = Double(value), number == number.rounded(), abs(number) < 1e15 {
                text = String(Int(number))
            }
            if cellColumn < Self.maxColumns {
                cells[cellColumn] = text
            } else if !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, tooWide == nil {
                tooWide = rowNumber
            }
            nextColumn = cellColumn + 1
        case "row":
            let width = (cells.keys.max() ?? -1) + 1
            records.append(CSVRecord(line: rowNumber, fields: (0..<width).map { cells[$0] ?? "" }))
        default: break
        }
    }
}
