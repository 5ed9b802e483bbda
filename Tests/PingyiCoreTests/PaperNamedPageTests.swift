import PaperPageDrawing
import PingyiCore
import Testing

@Suite("A page named by a teller when its code cannot be read")
struct PaperNamedPageTests {
    let code = PaperPageCode(campaignTag: 0x5A5A5, round: 2, group: 1, form: 2, page: 0)

    func page() throws -> SyntheticPage {
        var page = SyntheticPage(geometry: try #require(PaperPageGeometry(rows: 11, columns: 6)), code: code)
        page.circles[page.key(row: 3, column: 2, grade: 1)] = 1
        return page
    }

    @Test func aSmudgedCodeIsNotReadButThePageIsFoundAsNamed() throws {
        let image = try page().renderSmudgingCode(bits: 0..<6)
        #expect(throws: PaperReadFailure.unreadableCode) { try PaperReader.locate(image) }
        let located = try PaperNamedPage.locate(image, as: code)
        #expect(located.code == code && located.quarterTurns == 0)
        let geometry = try #require(PaperPageGeometry(rows: 11, columns: 6))
        #expect(PaperReader.read(image, located, geometry: geometry).symbols[3 * 6 + 2] == UInt8(ascii: "2"))
    }

    @Test func aNameTheReadableSquaresContradictOrTooLittleCodeIsRefused() throws {
        let image = try page().renderSmudgingCode(bits: 0..<6)
        let other = PaperPageCode(campaignTag: 0xA5A5A, round: 2, group: 1, form: 2, page: 0)
        #expect(throws: PaperNamedPageFailure.otherPage) { try PaperNamedPage.locate(image, as: other) }
        let gone = try page().renderSmudgingCode(bits: 0..<30)
        #expect(throws: PaperNamedPageFailure.codeMostlyGone) { try PaperNamedPage.locate(gone, as: code) }
    }
}
