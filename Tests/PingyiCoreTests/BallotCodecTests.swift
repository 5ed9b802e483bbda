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

    @Test(arguments: Array(UInt64(1)...25))
    func countingMarkStringsEqualsCountingBallots(seed: UInt64) throws {
        let s = TallyPropertyTests.scenario(seed: seed)
        let layout = BallotLayout(spec: s.spec)
        let stored = s.ballots.map { StoredBallot(raterGroup: $0.raterGroup, isVoid: $0.isVoid, marks: $0.isVoid ? "" : layout.encode($0)) }
        let fast = try Tally(stored: stored, layout: layout)
        let slow = Tally(ballots: s.ballots, spec: s.spec)
        #expect(fast.ballotsByGroup == slow.ballotsByGroup)
        for cell in s.spec.cells { #expect(fast.counts(cell) == slow.counts(cell)) }
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
