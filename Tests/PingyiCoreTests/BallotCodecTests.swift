import Foundation
import Testing
@testable import PingyiCore

@Suite("Ballot encoding and voting codes")
struct BallotCodecTests {
    let layout = BallotLayout(spec: Fixture.spec)

    @Test func aBallotRoundTripsThroughItsMarkString() throws {
        var marks: [CellKey: CellMark] = [:]
        for (i, cell) in Fixture.spec.cells.enumerated() {
            switch i % 6 {
            case 0: break
            case 5: marks[cell] = .void
            default: marks[cell] = .grade(Grade.allCases[i % 6 - 1])
            }
        }
        let ballot = CastBallot(raterGroup: "g", marks: marks)
        let encoded = layout.encode(ballot)
        #expect(encoded.count == layout.cells.count)
        #expect(encoded.hasPrefix("01234X0"))
        #expect(layout.decode(encoded, raterGroup: "g", isVoid: false) == ballot)
    }

    @Test func malformedMarkStringsDecodeToNothing() {
        #expect(layout.decode("012", raterGroup: "g", isVoid: false) == nil)
        #expect(layout.decode(String(repeating: "5", count: layout.cells.count), raterGroup: "g", isVoid: false) == nil)
        #expect(layout.decode("", raterGroup: "g", isVoid: true) == .void(raterGroup: "g"))
    }

    /// A random scenario's ballots as the database keeps them.
    static func stored(seed: UInt64) -> (TallyPropertyTests.Scenario, BallotLayout, [StoredBallot]) {
        let s = TallyPropertyTests.scenario(seed: seed)
        let layout = BallotLayout(spec: s.spec)
        return (s, layout, s.ballots.map { StoredBallot(raterGroup: $0.raterGroup, isVoid: $0.isVoid, marks: $0.isVoid ? "" : layout.encode($0)) })
    }

    @Test(arguments: Array(UInt64(1)...25))
    func countingMarkStringsEqualsCountingBallots(seed: UInt64) throws {
        let (s, layout, stored) = Self.stored(seed: seed)
        let fast = try Tally(stored: stored, layout: layout)
        let slow = Tally(ballots: s.ballots, spec: s.spec)
        #expect(fast.ballotsByGroup == slow.ballotsByGroup)
        for cell in s.spec.cells { #expect(fast.counts(cell) == slow.counts(cell)) }
    }

    @Test(arguments: Array(UInt64(1)...25))
    func aKeptTallyReadsBackAsTheSameCount(seed: UInt64) throws {
        let (_, layout, stored) = Self.stored(seed: seed)
        let fresh = try Tally(stored: stored, layout: layout)
        let record = TallyRecord(fresh, layout: layout)
        let kept = try JSONDecoder().decode(TallyRecord.self, from: JSONEncoder().encode(record))
        #expect(try kept.tally(layout: layout) == fresh)
    }

    @Test func aKeptTallyThatIsNotCountsDoesNotDecode() {
        for counts in ["1,,2", "1,x", "-1", "1,", ",1", "99999999999999"] {
            let json = #"{"groups":{"g":{"ballots":1,"counts":"\#(counts)"}}}"#
            #expect(throws: DecodingError.self, "\(counts)") { try JSONDecoder().decode(TallyRecord.self, from: Data(json.utf8)) }
        }
    }

    @Test func aKeptTallyForAnotherLayoutIsAnError() throws {
        let fresh = try Tally(stored: [StoredBallot(raterGroup: "g", isVoid: false, marks: String(repeating: "1", count: layout.cells.count))],
                              layout: layout)
        let record = TallyRecord(fresh, layout: layout)
        #expect(try record.tally(layout: layout).pooled(layout.cells[0]).good == 1)
        #expect(throws: BallotLayoutError.self) { try record.tally(layout: BallotLayout(cells: Array(layout.cells.dropLast()))) }
    }

    @Test func aWrongLengthMarkStringIsAnError() {
        #expect(throws: BallotLayoutError.self) { try Tally(stored: [StoredBallot(raterGroup: "g", isVoid: false, marks: "01")], layout: layout) }
        #expect(throws: BallotLayoutError.self) {
            try Tally(stored: [StoredBallot(raterGroup: "g", isVoid: false, marks: String(repeating: "9", count: layout.cells.count))], layout: layout)
        }
    }

    @Test func codesHaveEightyBitsInCrockfordBase32() {
        var seen = Set<String>()
        for _ in 0..<2000 {
            let code = VotingCode.generate()
            #expect(code.count == 16 && code.allSatisfy { VotingCode.alphabet.contains($0) })
            seen.insert(code)
        }
        #expect(seen.count == 2000)
        #expect(VotingCode.alphabet.count == 32) // 5 bits a symbol
    }

    @Test func typedCodesAreNormalizedAsCrockfordReadsThem() {
        #expect(VotingCode.normalize("k7qm-3xpa 9rtb-w2hc") == "K7QM3XPA9RTBW2HC")
        #expect(VotingCode.normalize("O0IL-1111-2222-3333") == "0011111122223333")
        #expect(VotingCode.normalize("K7QM-3XPA-9RTB") == nil)
        #expect(VotingCode.normalize("K7QM-3XPA-9RTB-W2HCX") == nil)
        #expect(VotingCode.normalize("K7QM-3XPA-9RTB-W2HU") == nil)
        #expect(VotingCode.normalize("评议评议评议评议评议评议评议评议") == nil)
        #expect(VotingCode.grouped("K7QM3XPA9RTBW2HC") == "K7QM-3XPA-9RTB-W2HC")
    }

    @Test func roundStatesSayWhatTheyAccept() {
        #expect(BallotRoundState.open.acceptsElectronicBallots && !BallotRoundState.open.acceptsPaperEntry)
        #expect(!BallotRoundState.sealed.acceptsElectronicBallots && BallotRoundState.sealed.acceptsPaperEntry)
        #expect(BallotRoundState.allCases.map(\.label) == ["投票中", "已封箱", "已计票", "作废"])
    }
}

@Suite("Fast ballot encoder")
struct BallotEncoderTests {
    @Test(arguments: Array(UInt64(1)...30))
    func itEncodesExactlyWhatValidateThenEncodeGives(seed: UInt64) throws {
        let s = TallyPropertyTests.scenario(seed: seed)
        let layout = BallotLayout(spec: s.spec)
        let encoder = BallotEncoder(layout: layout)
        for ballot in s.ballots where !ballot.isVoid {
            let raw = ballot.marks.compactMap { key, mark -> RawMark? in
                guard case .grade(let grade) = mark else { return nil }
                return RawMark(reportee: key.reportee, form: key.form, column: key.column, grade: grade.label)
            }
            let slow = layout.encode(try s.spec.validate(raw, raterGroup: "g", medium: .electronic))
            #expect(try encoder.encodeElectronic(raw) == slow)
        }
    }

    @Test func itRefusesWhatValidateRefuses() {
        let spec = Fixture.spec
        let encoder = BallotEncoder(layout: BallotLayout(spec: spec))
        let cases: [[RawMark]] = [
            [RawMark(reportee: "r9", form: "integrity", column: "overall", grade: "good")],
            [RawMark(reportee: "r1", form: "finance", column: "overall", grade: "good")],
            [RawMark(reportee: "r1", form: "integrity", column: "item9", grade: "good")],
            [RawMark(reportee: "r1", form: "integrity", column: "overall", grade: "best")],
            [RawMark(reportee: "r1", form: "integrity", column: "overall", grade: "good"),
             RawMark(reportee: "r1", form: "integrity", column: "overall", grade: "good")],
        ]
        for raw in cases {
            var expected: BallotRejection?
            do { _ = try spec.validate(raw, raterGroup: "g", medium: .electronic) } catch { expected = error }
            #expect(throws: expected!) { try encoder.encodeElectronic(raw) }
        }
    }
}

@Suite("Compact phone ballots")
struct CompactBallotTests {
    let spec = Fixture.spec

    @Test func compactAndVerboseBallotsEncodeAlike() throws {
        let encoder = BallotEncoder(layout: BallotLayout(spec: spec))
        // r1's party-building form: 好 较好 一般 差 (none) 好; integrity all 差; everything else left blank.
        let compact = try encoder.encodeCompact(["r1": ["party_building": "123401", "integrity": "444444"]])
        var raw: [RawMark] = []
        for (column, grade) in zip(["overall", "item1", "item2", "item3", "item5"], ["good", "fairly_good", "average", "poor", "good"]) {
            raw.append(RawMark(reportee: "r1", form: "party_building", column: column, grade: grade))
        }
        for column in FormTemplate.integrity.columns.map(\.id) { raw.append(RawMark(reportee: "r1", form: "integrity", column: column, grade: "poor")) }
        #expect(compact == (try encoder.encodeElectronic(raw)))
        #expect(compact.hasPrefix("123401444444000000"))
    }

    @Test func compactBallotsAreCheckedAsStrictly() throws {
        let encoder = BallotEncoder(layout: BallotLayout(spec: spec))
        #expect(throws: BallotRejection.unknownReportee("r9")) { try encoder.encodeCompact(["r9": ["integrity": "000000"]]) }
        #expect(throws: BallotRejection.unknownForm("finance")) { try encoder.encodeCompact(["r1": ["finance": "000000"]]) }
        #expect(throws: BallotRejection.wrongColumnCount(form: "integrity", expected: 6)) { try encoder.encodeCompact(["r1": ["integrity": "0000"]]) }
        #expect(throws: BallotRejection.unknownGrade("5")) { try encoder.encodeCompact(["r1": ["integrity": "000005"]]) }
        #expect(throws: BallotRejection.unknownGrade("X")) { try encoder.encodeCompact(["r1": ["integrity": "00000X"]]) }
    }

    @Test func anEmptyCompactBallotAbstainsEverywhere() throws {
        let encoder = BallotEncoder(layout: BallotLayout(spec: spec))
        #expect(try encoder.encodeCompact([:]) == String(repeating: "0", count: spec.cellCount))
    }
}
