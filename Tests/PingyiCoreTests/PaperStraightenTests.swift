import Foundation
import Testing
@testable import PingyiCore
import PaperPageDrawing

@Suite("Straightening a scanned page (PaperReader.straighten)")
struct PaperStraightenTests {
    let code = PaperPageCode(campaignTag: PaperPageCode.campaignTag("5A0C-demo"), round: 1, group: 0, form: 0, page: 0)

    /// A turned page comes out upright at 3 pixels a millimetre: the corner marks dark in the corners, paper in the middle.
    @Test func aTurnedPageComesOutSquare() throws {
        let geometry = try #require(PaperPageGeometry(rows: 4, columns: 3))
        let image = SyntheticPage(geometry: geometry, code: code).render(angle: 0.05)
        let page = try PaperReader.straighten(image)
        #expect(page.width == Int(PaperPageGeometry.pageWidth * 3) && page.height == Int(PaperPageGeometry.pageHeight * 3))
        let mark = PaperPageGeometry.corner(0)
        let dark = page.pixels[Int(mark.centerY * 3) * page.width + Int(mark.centerX * 3)]
        let paper = page.pixels[Int(PaperPageGeometry.pageHeight * 1.5) * page.width + 10]
        #expect(dark < 100, "corner mark \(dark)")
        #expect(paper > 180, "paper \(paper)")
    }

    @Test func aRowCropSpansTheNameToTheLastBox() throws {
        let geometry = try #require(PaperPageGeometry(rows: 4, columns: 3))
        let crop = geometry.rowCrop(2)
        #expect(crop.x == PaperPageGeometry.nameLeft && crop.y == geometry.rowTop(2) - 0.5)
        #expect(crop.height == PaperPageGeometry.rowHeight + 1)
        let image = SyntheticPage(geometry: geometry, code: code).render()
        let row = try PaperReader.straighten(image, rect: crop, scale: PaperPageGeometry.rowCropScale)
        #expect(row.width == Int(crop.width * 5) && row.height == Int(crop.height * 5))
        // Each column's four boxes lie inside the crop, left to right.
        let spans = geometry.rowCropColumnSpans
        #expect(spans.count == 3)
        #expect(spans.allSatisfy { $0[0] > 0 && $0[0] + $0[1] <= 1 })
        #expect(zip(spans, spans.dropFirst()).allSatisfy { $0[0] < $1[0] })
    }

    @Test func aBlankPictureIsNoPage() {
        let blank = GrayImage(width: 300, height: 200, pixels: Array(repeating: 240, count: 300 * 200))!
        #expect(throws: PaperReadFailure.self) { try PaperReader.straighten(blank) }
    }
}
