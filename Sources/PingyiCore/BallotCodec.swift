import Foundation

/// The fixed order of a round's cells, frozen when the round opens (the set-up cannot change during a meeting).
/// A ballot is stored as one character per cell in this order — compact, comparable, and sortable by content.
public struct BallotLayout: Codable, Sendable, Hashable {
    public var cells: [CellKey]

    public init(cells: [CellKey]) { self.cells = cells }
    public init(spec: BallotSpec) { self.cells = spec.cells }

    /// `-`: a cell that is not on this ballot at all — a paper sheet carries one form's page, so it counts in that
    /// page's cells only (neither abstention nor void elsewhere).
    public static let notOnSheet = UInt8(ascii: "-")

    /// '0' abstention (弃权), '1' 好, '2' 较好, '3' 一般, '4' 差, 'X' several marks (void column).
    public static func symbol(_ outcome: CellOutcome) -> Character {
        switch outcome {
        case .abstention: "0"
        case .grade(.good): "1"
        case .grade(.fairlyGood): "2"
        case .grade(.average): "3"
        case .grade(.poor): "4"
        case .void: "X"
        }
    }

    public static func outcome(_ symbol: UInt8) -> CellOutcome? {
        switch symbol {
        case UInt8(ascii: "0"): .abstention
        case UInt8(ascii: "1"): .grade(.good)
        case UInt8(ascii: "2"): .grade(.fairlyGood)
        case UInt8(ascii: "3"): .grade(.average)
        case UInt8(ascii: "4"): .grade(.poor)
        case UInt8(ascii: "X"): .void
        default: nil
        }
    }

    public func encode(_ ballot: CastBallot) -> String {
        String(cells.map { Self.symbol(ballot.outcome(at: $0)) })
    }

    public func decode(_ marks: String, raterGroup: String, isVoid: Bool) -> CastBallot? {
        if isVoid { return .void(raterGroup: raterGroup) }
        // A one-form paper sheet is not a whole ballot; it is counted from its mark string only.
        if marks.utf8.contains(Self.notOnSheet) { return nil }
        let bytes = Array(marks.utf8)
        guard bytes.count == cells.count else { return nil }
        var result: [CellKey: CellMark] = [:]
        for (cell, byte) in zip(cells, bytes) {
            switch Self.outcome(byte) {
            case .grade(let grade)?: result[cell] = .grade(grade)
            case .void?: result[cell] = .void
            case .abstention?: break
            case nil: return nil
            }
        }
        return CastBallot(raterGroup: raterGroup, marks: result)
    }
}

/// A stored ballot as the tally reads it.
public struct StoredBallot: Sendable, Hashable {
    public var raterGroup: String
    public var isVoid: Bool
    public var marks: String

    public init(raterGroup: String, isVoid: Bool, marks: String) {
        self.raterGroup = raterGroup
        self.isVoid = isVoid
        self.marks = marks
    }
}

extension Tally {
    /// Counts stored ballots straight from their mark strings: one pass, integer arrays, no per-ballot objects.
    /// Gives exactly what `Tally(ballots:spec:)` gives for the decoded ballots.
    public init(stored: some Sequence<StoredBallot>, layout: BallotLayout) throws(BallotLayoutError) {
        let cellCount = layout.cells.count
        var groupIndex: [String: Int] = [:]
        var groupNames: [String] = []
        // counts[group][cell * 6 + outcome], outcome: 0 abstain, 1–4 grades, 5 void
        var counts: [[Int]] = []
        var ballotsByGroup: [String: Int] = [:]
        for ballot in stored {
            let g: Int
            if let known = groupIndex[ballot.raterGroup] {
                g = known
            } else {
                g = groupNames.count
                groupIndex[ballot.raterGroup] = g
                groupNames.append(ballot.raterGroup)
                counts.append([Int](repeating: 0, count: cellCount * 6))
            }
            ballotsByGroup[ballot.raterGroup, default: 0] += 1
            if ballot.isVoid && ballot.marks.isEmpty {
                for cell in 0..<cellCount { counts[g][cell * 6 + 5] += 1 }
                continue
            }
            var index = 0
            var ok = true
            counts[g].withUnsafeMutableBufferPointer { buffer in
                var utf8 = ballot.marks.utf8.makeIterator()
                while let byte = utf8.next() {
                    guard index < cellCount else { ok = false; return }
                    let slot: Int
                    switch byte {
                    case 48: slot = 0
                    case 49: slot = 1
                    case 50: slot = 2
                    case 51: slot = 3
                    case 52: slot = 4
                    case 88: slot = 5
                    case 45: index += 1; continue
                    default: ok = false; return
                    }
                    buffer[index * 6 + slot] += 1
                    index += 1
                }
            }
            guard ok, index == cellCount else { throw .malformed(ballot.marks.count, expected: cellCount) }
        }
        // A group's ballot count is what its thinnest cell rests on: one-form paper sheets cover a third of the cells
        // each, and three of them must not pass for three voters. (The minimum group size looks at every cell's own
        // count instead: see `RaterGroupPooling(tally:order:minimum:)`.)
        for (g, name) in groupNames.enumerated() where cellCount > 0 {
            var thinnest = Int.max
            let c = counts[g]
            for cell in 0..<cellCount {
                let base = cell * 6
                thinnest = min(thinnest, c[base] + c[base + 1] + c[base + 2] + c[base + 3] + c[base + 4] + c[base + 5])
            }
            ballotsByGroup[name] = thinnest
        }
        var result: [CellKey: [String: GradeCounts]] = [:]
        for (cellIndex, cell) in layout.cells.enumerated() {
            var byGroup: [String: GradeCounts] = [:]
            for (g, name) in groupNames.enumerated() {
                let base = cellIndex * 6
                let c = counts[g]
                byGroup[name] = GradeCounts(good: c[base + 1], fairlyGood: c[base + 2], average: c[base + 3], poor: c[base + 4],
                                            abstentions: c[base], voids: c[base + 5])
            }
            result[cell] = byGroup
        }
        self.init(counts: result, ballotsByGroup: ballotsByGroup)
    }
}

public enum BallotLayoutError: Error, Hashable, Sendable {
    case malformed(Int, expected: Int)
}

/// Voting codes (投票码) and receipts (回执码): random Crockford base-32, grouped by four for reading aloud.
public enum VotingCode {
    /// Crockford's alphabet: no I, L, O, U, so what is read is what was printed.
    public static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    /// 16 symbols × 5 bits = 80 bits.
    public static let length = 16
    public static let receiptLength = 10

    public static func generate<R: RandomNumberGenerator>(length: Int = length, using generator: inout R) -> String {
        String((0..<length).map { _ in alphabet[Int(generator.next() % 32)] })
    }

    public static func generate(length: Int = length) -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(length: length, using: &generator)
    }

    /// What a person typed, as stored: upper case, no spaces or dashes, O→0 and I/L→1 as Crockford reads them.
    /// `nil` when it cannot be a code.
    public static func normalize(_ input: String, length: Int = length) -> String? {
        var result = ""
        for character in input.uppercased() {
            switch character {
            case " ", "-", "\t", "\n", "\r", "　": continue
            case "O": result.append("0")
            case "I", "L": result.append("1")
            default:
                guard alphabet.contains(character) else { return nil }
                result.append(character)
            }
            if result.count > length { return nil }
        }
        return result.count == length ? result : nil
    }

    /// "K7QM-3XPA-9RTB-W2HC"
    public static func grouped(_ code: String) -> String {
        stride(from: 0, to: code.count, by: 4).map { start in
            let from = code.index(code.startIndex, offsetBy: start)
            return String(code[from..<code.index(from, offsetBy: min(4, code.count - start))])
        }.joined(separator: "-")
    }
}

/// 票箱: a ballot round's states, 投票中 → 已封箱 → 已计票, or 作废 when more came back than were issued.
public enum BallotRoundState: String, Codable, Sendable, CaseIterable {
    case open, sealed, counted, void

    public var label: String {
        switch self {
        case .open: "投票中"
        case .sealed: "已封箱"
        case .counted: "已计票"
        case .void: "作废"
        }
    }

    public var acceptsElectronicBallots: Bool { self == .open }
    /// Paper sheets are keyed after the box is sealed and opened by the tellers.
    public var acceptsPaperEntry: Bool { self == .sealed }
}

/// A round's layout prepared for validating phone ballots straight into mark strings: every (reportee, form, column)
/// looked up once, no intermediate ballot. Gives exactly `layout.encode(spec.validate(raw, …, medium: .electronic))`.
public struct BallotEncoder: Sendable {
    public let layout: BallotLayout
    private let index: [String: [String: [String: Int]]]
    private let forms: Set<String>
    /// For each reportee and form: where its columns start in the layout, and how many there are.
    private let runs: [String: [String: (start: Int, count: Int)]]

    public init(layout: BallotLayout) {
        self.layout = layout
        var index: [String: [String: [String: Int]]] = [:]
        var runs: [String: [String: (start: Int, count: Int)]] = [:]
        for (position, cell) in layout.cells.enumerated() {
            index[cell.reportee, default: [:]][cell.form, default: [:]][cell.column] = position
            let run = runs[cell.reportee]?[cell.form]
            runs[cell.reportee, default: [:]][cell.form] = (run?.start ?? position, (run?.count ?? 0) + 1)
        }
        self.index = index
        self.runs = runs
        self.forms = Set(layout.cells.map(\.form))
    }

    /// The compact ballot the phone sends: for each reportee and form, one symbol per column in the form's order
    /// (总体评价 first): `1` 好, `2` 较好, `3` 一般, `4` 差, `0` no choice (弃权). A phone cannot mark a column twice.
    public func encodeCompact(_ ballot: [String: [String: String]]) throws(BallotRejection) -> String {
        var symbols = [UInt8](repeating: UInt8(ascii: "0"), count: layout.cells.count)
        for (reportee, byForm) in ballot {
            guard let reporteeRuns = runs[reportee] else { throw .unknownReportee(reportee) }
            for (form, text) in byForm {
                guard let run = reporteeRuns[form] else {
                    throw forms.contains(form) ? .unknownReportee(reportee) : .unknownForm(form)
                }
                let bytes = Array(text.utf8)
                guard bytes.count == run.count else { throw .wrongColumnCount(form: form, expected: run.count) }
                for (offset, byte) in bytes.enumerated() {
                    guard (UInt8(ascii: "0")...UInt8(ascii: "4")).contains(byte) else { throw .unknownGrade(String(UnicodeScalar(byte))) }
                    symbols[run.start + offset] = byte
                }
            }
        }
        return String(decoding: symbols, as: UTF8.self)
    }

    public func encodeElectronic(_ raw: [RawMark]) throws(BallotRejection) -> String {
        let limit = layout.cells.count * Grade.allCases.count
        guard raw.count <= limit else { throw .tooManyMarks(limit: limit) }
        var symbols = [UInt8](repeating: UInt8(ascii: "0"), count: layout.cells.count)
        for mark in raw {
            guard let byForm = index[mark.reportee] else { throw .unknownReportee(mark.reportee) }
            guard let byColumn = byForm[mark.form] else {
                throw forms.contains(mark.form) ? .unknownReportee(mark.reportee) : .unknownForm(mark.form)
            }
            guard let position = byColumn[mark.column] else { throw .unknownColumn(form: mark.form, column: mark.column) }
            guard let grade = Grade(code: mark.grade) else { throw .unknownGrade(mark.grade) }
            guard symbols[position] == UInt8(ascii: "0") else {
                throw .multipleMarks(CellKey(reportee: mark.reportee, form: mark.form, column: mark.column))
            }
            symbols[position] = BallotLayout.symbol(.grade(grade)).asciiValue!
        }
        return String(decoding: symbols, as: UTF8.self)
    }
}

/// A counted round's tally as it is kept at the count, so results, exports and the overview read it instead of every
/// ballot again (issue 25). Per rater group: its ballot count and six counts per cell in layout order (abstain, 好,
/// 较好, 一般, 差, 废 — the order `Tally(stored:layout:)` counts in). Integers only: it equals a fresh count exactly.
public struct TallyRecord: Codable, Sendable, Hashable {
    public struct Group: Codable, Sendable, Hashable {
        public var ballots: Int
        public var counts: [Int]

        public init(ballots: Int, counts: [Int]) {
            self.ballots = ballots
            self.counts = counts
        }

        // The counts as one string of comma-separated integers: the overview reads a thousand records at a time, and
        // a JSON array of thousands of numbers decodes a hundred times slower.
        enum CodingKeys: String, CodingKey { case ballots, counts }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            ballots = try container.decode(Int.self, forKey: .ballots)
            let text = try container.decode(String.self, forKey: .counts)
            var counts: [Int] = []
            counts.reserveCapacity(text.utf8.count / 2)
            var value = 0, digits = 0
            for byte in text.utf8 {
                if byte == UInt8(ascii: ",") {
                    guard digits > 0 else { throw DecodingError.dataCorruptedError(forKey: .counts, in: container, debugDescription: "empty count") }
                    counts.append(value)
                    value = 0
                    digits = 0
                } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 12 {
                    value = value * 10 + Int(byte - UInt8(ascii: "0"))
                    digits += 1
                } else {
                    throw DecodingError.dataCorruptedError(forKey: .counts, in: container, debugDescription: "not a count")
                }
            }
            if digits > 0 { counts.append(value) } else if !text.isEmpty {
                throw DecodingError.dataCorruptedError(forKey: .counts, in: container, debugDescription: "empty count")
            }
            self.counts = counts
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(ballots, forKey: .ballots)
            try container.encode(counts.map(String.init).joined(separator: ","), forKey: .counts)
        }
    }
    public var groups: [String: Group]

    public init(_ tally: Tally, layout: BallotLayout) {
        var groups: [String: Group] = [:]
        for (name, ballots) in tally.ballotsByGroup {
            var counts: [Int] = []
            counts.reserveCapacity(layout.cells.count * 6)
            for cell in layout.cells {
                let c = tally.counts[cell]?[name] ?? .zero
                counts += [c.abstentions, c.good, c.fairlyGood, c.average, c.poor, c.voids]
            }
            groups[name] = Group(ballots: ballots, counts: counts)
        }
        self.groups = groups
    }

    /// The tally over `layout`; a record kept for another layout (a cell count that does not match) is malformed.
    public func tally(layout: BallotLayout) throws(BallotLayoutError) -> Tally {
        var result: [CellKey: [String: GradeCounts]] = [:]
        for group in groups.values where group.counts.count != layout.cells.count * 6 {
            throw .malformed(group.counts.count / 6, expected: layout.cells.count)
        }
        for (index, cell) in layout.cells.enumerated() {
            var byGroup: [String: GradeCounts] = [:]
            for (name, group) in groups {
                let c = group.counts[(index * 6)..<(index * 6 + 6)].map { $0 }
                byGroup[name] = GradeCounts(good: c[1], fairlyGood: c[2], average: c[3], poor: c[4], abstentions: c[0], voids: c[5])
            }
            result[cell] = byGroup
        }
        return Tally(counts: result, ballotsByGroup: groups.mapValues(\.ballots))
    }
}
