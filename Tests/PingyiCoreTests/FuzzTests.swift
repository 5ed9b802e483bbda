import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import PingyiCore

/// Property fuzzing of everything that reads untrusted input: the stored-ballot decoder, the phone's compact ballot,
/// paper entry, CSV and the import tables. Thousands of random and mutated inputs per property, from fixed seeds (a
/// failure names its seed and input, so it can be replayed). Each must end in a value that obeys the rules or a typed
/// refusal — never a crash, never a ballot that does not fit the layout.
@Suite("Fuzzing the input readers")
struct FuzzTests {
    static let seeds: [UInt64] = [1, 2, 3, 0xDEAD_BEEF, 0x5EED_0009]
    let spec = Fixture.spec
    var layout: BallotLayout { BallotLayout(spec: spec) }

    /// Text that is mostly near the expected shape, sometimes anything at all.
    static func text(_ random: inout SplitMix64, alphabet: [String], maxLength: Int) -> String {
        let length = Int.random(in: 0...maxLength, using: &random)
        let wild = ["", "\0", "\u{FEFF}", "é", "好", "\"", ",", "\r\n", "\n", "=", "🙂", "\u{202E}", "\u{0301}"]
        return (0..<length).map { _ in
            Int.random(in: 0..<10, using: &random) == 0 ? wild.randomElement(using: &random)! : alphabet.randomElement(using: &random)!
        }.joined()
    }

    @Test(arguments: seeds)
    func markStringsDecodeOnlyWhenWellFormedAndThenRoundTrip(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let symbols = ["0", "1", "2", "3", "4", "X", "5", "x", " "]
        for _ in 0..<3_000 {
            // Setup: a string of about the right length.
            let length = layout.cells.count + Int.random(in: -2...2, using: &random)
            var marks = (0..<max(0, length)).map { _ in symbols[Int.random(in: 0..<6, using: &random)] }.joined()
            if Int.random(in: 0..<4, using: &random) == 0 { marks = Self.text(&random, alphabet: symbols, maxLength: length + 3) }
            // Call
            let decoded = layout.decode(marks, raterGroup: "g", isVoid: false)
            // Check
            let wellFormed = marks.utf8.count == layout.cells.count && marks.utf8.allSatisfy { "01234X".utf8.contains($0) }
            #expect((decoded != nil) == wellFormed, "seed \(seed): \(marks.debugDescription)")
            if let decoded { #expect(layout.encode(decoded) == marks, "seed \(seed): \(marks.debugDescription)") }
        }
    }

    @Test(arguments: seeds)
    func compactBallotsAreRefusedOrFitTheLayout(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let encoder = BallotEncoder(layout: layout)
        let reportees = spec.reportees + ["r9", "", "r1 "]
        let forms = spec.forms.map(\.id) + ["nope", ""]
        for _ in 0..<3_000 {
            var ballot: [String: [String: String]] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &random) {
                let form = forms.randomElement(using: &random)!
                let width = spec.forms.first { $0.id == form }?.columns.count ?? 3
                ballot[reportees.randomElement(using: &random)!, default: [:]][form] =
                    Self.text(&random, alphabet: ["0", "1", "2", "3", "4", "1", "2"], maxLength: width + Int.random(in: -1...1, using: &random))
            }
            do {
                let marks = try encoder.encodeCompact(ballot)
                let decoded = layout.decode(marks, raterGroup: "g", isVoid: false)
                #expect(decoded != nil, "seed \(seed): \(ballot)")
                // Every mark that was sent is in the ballot, in its place.
                for (reportee, byForm) in ballot {
                    for (form, text) in byForm {
                        let columns = spec.forms.first { $0.id == form }!.columns
                        for (column, symbol) in zip(columns, text.utf8) where symbol != UInt8(ascii: "0") {
                            let key = CellKey(reportee: reportee, form: form, column: column.id)
                            #expect(decoded?.outcome(at: key) == BallotLayout.outcome(symbol), "seed \(seed): \(ballot)")
                        }
                    }
                }
            } catch {
                // A refusal is a typed BallotRejection with a Chinese message.
                #expect(error.message.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) })
            }
        }
    }

    @Test(arguments: seeds)
    func paperEntriesAreRefusedOrKeepEveryMarkAsKeyed(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let cells = spec.cells
        let grades = Grade.allCases.map(\.rawValue) + Grade.allCases.map(\.label) + ["great", "", "好 "]
        for _ in 0..<2_000 {
            // Setup: marks mostly on real cells, some anywhere, sometimes several in one cell.
            let raw: [RawMark] = (0..<Int.random(in: 0...40, using: &random)).map { _ in
                let cell = cells.randomElement(using: &random)!
                let wrong = Int.random(in: 0..<25, using: &random)
                return RawMark(reportee: wrong == 0 ? "r9" : cell.reportee, form: wrong == 1 ? "nope" : cell.form,
                               column: wrong == 2 ? "nope" : cell.column, grade: grades.randomElement(using: &random)!)
            }
            // Call
            let result = Result { () throws(BallotRejection) in try spec.validate(raw, raterGroup: "g", medium: .paper) }
            // Check: refused exactly when some mark is not on the form; else each cell as keyed, several grades void it.
            let allKnown = raw.allSatisfy { mark in
                cells.contains(CellKey(reportee: mark.reportee, form: mark.form, column: mark.column)) && Grade(code: mark.grade) != nil
            }
            switch result {
            case .success(let ballot):
                #expect(allKnown, "seed \(seed): \(raw)")
                let byCell = Dictionary(grouping: raw) { CellKey(reportee: $0.reportee, form: $0.form, column: $0.column) }
                for cell in cells {
                    let keyed = Set((byCell[cell] ?? []).compactMap { Grade(code: $0.grade) })
                    let expected: CellOutcome = keyed.isEmpty ? .abstention : keyed.count == 1 ? .grade(keyed.first!) : .void
                    #expect(ballot.outcome(at: cell) == expected, "seed \(seed): \(cell)")
                }
                #expect(layout.decode(layout.encode(ballot), raterGroup: "g", isVoid: false) == ballot)
            case .failure:
                #expect(!allKnown, "seed \(seed): refused a correct sheet \(raw)")
            }
        }
    }

    @Test(arguments: seeds)
    func csvReadsBackWhatItWroteAndNeverTrapsOnNoise(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let alphabet = ["a", "张", "三", ",", "\"", "\n", "\r", "\r\n", " ", "1", "=", "+", "-", "@", "'", "\t", "镇"]
        for _ in 0..<1_500 {
            // Round trip: whatever the fields, reading what was written gives them back (formula guard aside).
            let records = (0..<Int.random(in: 1...4, using: &random)).map { _ in
                (0..<Int.random(in: 1...4, using: &random)).map { _ in Self.text(&random, alphabet: alphabet, maxLength: 6) }
            }
            let written = CSV.write(records)
            let parsed: [CSVRecord]
            do { parsed = try CSV.parse(written) } catch {
                Issue.record("seed \(seed): \(error) reading back \(records) written as \(written.debugDescription)")
                continue
            }
            let expected = records.map { $0.map { field in
                (field.unicodeScalars.first.map { "=+-@".unicodeScalars.contains($0) } ?? false) && Double(field) == nil ? "'" + field : field
            } }
            #expect(parsed.map(\.fields) == expected, "seed \(seed): \(records)")
            // Noise: any text parses or fails with a typed error naming a line.
            let noise = Self.text(&random, alphabet: alphabet, maxLength: 60)
            do {
                let rows = try CSV.parse(noise)
                #expect(rows.allSatisfy { $0.line >= 1 })
            } catch {
                #expect(error.issue.line >= 1)
            }
        }
    }

    @Test(arguments: seeds)
    /// Line 0 is the file itself (header, emptiness); other lines are the row's.
    func importTablesNameTheLineOfEveryProblemOrImportEverything(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let headers = ["姓名", "单位", "身份", "评议人类别", "名称", "上级", "类型", "别名"]
        let values = ["张三", "", "出席", "列席", "班子成员", "党员代表", "**镇党委", "**区委", "镇", "村", " ", "x"]
        for _ in 0..<1_500 {
            var header = (0..<Int.random(in: 1...5, using: &random)).map { _ in headers.randomElement(using: &random)! }
            if Int.random(in: 0..<3, using: &random) > 0 { header = ["姓名", "单位", "身份", "评议人类别"] }
            let rows = (0..<Int.random(in: 0...6, using: &random)).map { line in
                CSVRecord(line: line + 2, fields: (0..<Int.random(in: 0...header.count + 1, using: &random)).map { _ in values.randomElement(using: &random)! })
            }
            let records = [CSVRecord(line: 1, fields: header)] + rows
            switch ParticipantImport.parse(records, raterGroups: ["班子成员", "党员代表"]) {
            case .success(let imported):
                #expect(imported.count <= rows.count)
                #expect(imported.allSatisfy { !$0.name.trimmingCharacters(in: .whitespaces).isEmpty }, "seed \(seed): \(records)")
            case .failure(let failure):
                #expect(!failure.issues.isEmpty && failure.issues.allSatisfy { $0.line >= 0 && $0.line <= rows.count + 1 }, "seed \(seed): \(failure)")
            }
            switch OrgImport.parse(records, existingNames: ["**区委"]) {
            case .success(let imported): #expect(imported.count <= rows.count)
            case .failure(let failure): #expect(!failure.issues.isEmpty && failure.issues.allSatisfy { $0.line >= 0 && $0.line <= rows.count + 1 })
            }
        }
    }
}

extension FuzzTests {
    @Test(arguments: seeds)
    func escapedXMLHasNoMarkupAndReadsBackAsTheText(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let alphabet = ["<", ">", "&", "\"", "'", "a", "张", "\u{0301}", "\u{1}", "\r\n", "\t", "]]>", "&amp;", "\u{FFFF}"]
        for _ in 0..<2_000 {
            // Setup
            let text = Self.text(&random, alphabet: alphabet, maxLength: 12)
            // Call
            let escaped = XML.escape(text)
            // Check: a real XML parser reads it back as the text without the characters XML cannot carry.
            let document = Data("<t a=\"\(escaped)\">\(escaped)</t>".utf8)
            let reader = TextCollector()
            let parser = XMLParser(data: document)
            parser.delegate = reader
            #expect(parser.parse(), "seed \(seed): \(text.debugDescription) → \(escaped.debugDescription)")
            let kept = String(String.UnicodeScalarView(text.unicodeScalars.filter {
                !($0.value < 0x20 && !["\t", "\n", "\r"].contains($0)) && $0.value != 0xFFFE && $0.value != 0xFFFF
            }))
            // XML folds a line end to \n in text; compare with that folding.
            var folded = String.UnicodeScalarView()
            var previous: Unicode.Scalar?
            for scalar in kept.unicodeScalars {
                if scalar == "\r" { folded.append("\n") } else if !(scalar == "\n" && previous == "\r") { folded.append(scalar) }
                previous = scalar
            }
            #expect(reader.text == String(folded), "seed \(seed): \(text.debugDescription) read as \(reader.text.debugDescription), expected \(String(folded).debugDescription)")
        }
    }
}

final class TextCollector: NSObject, XMLParserDelegate {
    var text = ""
    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
}
