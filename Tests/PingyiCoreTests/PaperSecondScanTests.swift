import PingyiCore
import Testing

@Suite("Second scans with too few marks")
struct PaperSecondScanTests {
    func page(_ symbols: String, marked: [Int], boxes: Int = 24) -> ([UInt8], [Double]) {
        (Array(symbols.utf8), (0..<boxes).map { marked.contains($0) ? 0.5 : 0.01 })
    }

    @Test func aBlankPageAndOneWithTwoMarksCannotBeToldFromAnotherThatReadsTheSame() {
        let blank = page("000000", marked: [])
        #expect(PaperSecondScan.indistinguishable(symbols: blank.0, scores: blank.1, otherSymbols: blank.0, otherScores: blank.1))
        let two = page("100200", marked: [0, 13])
        #expect(PaperSecondScan.indistinguishable(symbols: two.0, scores: two.1, otherSymbols: two.0, otherScores: two.1))
        // An unsure column matches anything.
        let unsure = page("?00200", marked: [13])
        #expect(PaperSecondScan.indistinguishable(symbols: unsure.0, scores: unsure.1, otherSymbols: two.0, otherScores: two.1))
    }

    @Test func pagesThatReadDifferentlyOrHaveEnoughInkAreNotHeldHere() {
        let a = page("100200", marked: [0, 13]), b = page("200200", marked: [1, 13])
        #expect(!PaperSecondScan.indistinguishable(symbols: a.0, scores: a.1, otherSymbols: b.0, otherScores: b.1))
        let three = page("120300", marked: [0, 5, 14])
        #expect(!PaperSecondScan.indistinguishable(symbols: three.0, scores: three.1, otherSymbols: three.0, otherScores: three.1))
        let short = page("10020", marked: [0])
        #expect(!PaperSecondScan.indistinguishable(symbols: short.0, scores: short.1, otherSymbols: a.0, otherScores: a.1))
    }
}
