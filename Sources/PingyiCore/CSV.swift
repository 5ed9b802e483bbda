import Foundation

/// One record of a CSV file, with the line it starts on (1-based, as a spreadsheet shows it).
public struct CSVRecord: Hashable, Sendable {
    public var line: Int
    public var fields: [String]

    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }

    public var isBlank: Bool { fields.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty } }
}

public enum CSVError: Error, Hashable, Sendable {
    case unterminatedQuote(line: Int)
    case strayQuote(line: Int)

    public var issue: ImportIssue {
        switch self {
        case .unterminatedQuote(let line): ImportIssue(line: line, message: "引号没有闭合")
        case .strayQuote(let line): ImportIssue(line: line, message: "字段中间出现了多余的引号")
        }
    }
}

/// RFC 4180 CSV: comma-separated, fields may be quoted with `"`, `""` is a quote inside a quoted field,
/// quoted fields may span lines; CRLF, LF and a leading UTF-8 BOM are accepted.
public enum CSV {
    public static func parse(_ text: String) throws(CSVError) -> [CSVRecord] {
        var records: [CSVRecord] = []
        var fields: [String] = []
        var field = ""
        var line = 1
        var recordLine = 1
        var inQuotes = false
        var fieldWasQuoted = false
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var index = 0
        func endRecord() {
            fields.append(field)
            records.append(CSVRecord(line: recordLine, fields: fields))
            fields = []
            field = ""
            fieldWasQuoted = false
        }
        while index < scalars.count {
            let c = scalars[index]
            if inQuotes {
                if c == "\"" {
                    if index + 1 < scalars.count, scalars[index + 1] == "\"" {
                        field.unicodeScalars.append("\"")
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else {
                switch c {
                case ",":
                    fields.append(field)
                    field = ""
                    fieldWasQuoted = false
                case "\r":
                    if index + 1 < scalars.count, scalars[index + 1] == "\n" { index += 1 }
                    endRecord()
                    line += 1
                    recordLine = line
                case "\n":
                    endRecord()
                    line += 1
                    recordLine = line
                case "\"":
                    guard field.isEmpty, !fieldWasQuoted else { throw .strayQuote(line: line) }
                    inQuotes = true
                    fieldWasQuoted = true
                default:
                    if fieldWasQuoted { throw .strayQuote(line: line) }
                    field.unicodeScalars.append(c)
                }
            }
            index += 1
        }
        if inQuotes { throw .unterminatedQuote(line: recordLine) }
        if !field.isEmpty || !fields.isEmpty || fieldWasQuoted { endRecord() }
        return records
    }

    /// Writes records as RFC 4180 CSV with CRLF line ends, starting with a UTF-8 BOM so Excel reads the Chinese.
    /// A field that starts with = + - @ gets a leading apostrophe so a spreadsheet never runs it as a formula.
    public static func write(_ records: [[String]]) -> String {
        "\u{FEFF}" + records.map { $0.map(field).joined(separator: ",") + "\r\n" }.joined()
    }

    static func field(_ raw: String) -> String {
        var value = raw
        if let first = value.unicodeScalars.first, "=+-@".unicodeScalars.contains(first), Double(value) == nil {
            value = "'" + value
        }
        // Scalars, not Characters: "\r\n" is one Character, equal to neither "\r" nor "\n".
        guard value.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        // Doubled scalar by scalar: a quote followed by a combining mark is one Character, and a Character-wise
        // replace would leave it single, ending the field early (and letting the rest of the text become new cells).
        var quoted = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            if scalar == "\"" { quoted.append("\"") }
            quoted.append(scalar)
        }
        return "\"" + String(quoted) + "\""
    }
}
