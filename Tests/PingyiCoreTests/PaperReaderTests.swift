import Foundation
import Testing
@testable import PingyiCore

/// Draws a page as the printer would (corner marks, code, box outlines) with pen circles in chosen boxes, turned and
/// scaled, then reads it back.
struct SyntheticPage {
    var geometry: PaperPageGeometry
    var code: PaperPageCode
    /// (row, column, grade) → circle darkness 0…1 (1 black pen).
    var circles: [Int: Double] = [:]
    var dots: [Int] = []

    func render(width: Int = 1400, angle: Double = 0, turned: Bool = false, paper: UInt8 = 235) -> GrayImage {
        let height = width * 210 / 297
        let scale = Double(width) / 297 * 0.92
        let (cx, cy) = (Double(width) / 2, Double(height) / 2)
        let cosA = cos(angle + (turned ? .pi : 0)), sinA = sin(angle + (turned ? .pi : 0))
        var pixels = [UInt8](repeating: paper, count: width * height)
        var dark: [(rect: PageRect, value: Double)] = (0..<4).map { (PaperPageGeometry.corner($0), 1.0) }
        for (i, bit) in code.bits.enumerated() where bit { dark.append((PaperPageGeometry.codeBit(i), 1.0)) }
        for y in 0..<height {
            for x in 0..<width {
                // Picture → page: undo rotation about the centre, then the scale.
                let dx = Double(x) - cx, dy = Double(y) - cy
                let u = (cosA * dx + sinA * dy) / scale + 148.5
                let v = (-sinA * dx + cosA * dy) / scale + 105
                var ink = 0.0
                for d in dark where u >= d.rect.x && u <= d.rect.x + d.rect.width && v >= d.rect.y && v <= d.rect.y + d.rect.height {
                    ink = d.value
                }
                if ink == 0 { ink = boxInk(u, v) }
                if ink > 0 { pixels[y * width + x] = UInt8(Double(paper) * (1 - ink * 0.9)) }
            }
        }
        return GrayImage(width: width, height: height, pixels: pixels)!
    }

    func boxInk(_ u: Double, _ v: Double) -> Double {
        let g = geometry
        guard v >= g.rowTop(0), v < g.rowTop(g.rows), u >= PaperPageGeometry.boxesLeft else { return 0 }
        let row = Int((v - g.rowTop(0)) / PaperPageGeometry.rowHeight)
        for column in 0..<g.columns {
            for grade in 0..<4 {
                let box = g.box(row: row, column: column, grade: grade)
                let key = (row * g.columns + column) * 4 + grade
                let r = hypot(u - box.centerX, v - box.centerY)
                if let value = circles[key], abs(r - 2.4) < 0.3 { return value }
                if dots.contains(key), r < 0.35 { return 1 }
                let inside = u >= box.x && u <= box.x + box.width && v >= box.y && v <= box.y + box.height
                let onEdge = inside && (u - box.x < 0.25 || box.x + box.width - u < 0.25 || v - box.y < 0.25 || box.y + box.height - v < 0.25)
                if onEdge { return 0.55 }
            }
        }
        return 0
    }
}

@Suite struct PaperReaderTests {
    let code = PaperPageCode(campaignTag: PaperPageCode.campaignTag("5A0C-demo"), round: 2, group: 3, form: 1, page: 0)

    @Test func pageCodeRoundTripsAndRejectsAFlippedBit() throws {
        let bits = code.bits
        #expect(bits.count == 48)
        #expect(PaperPageCode(bits: bits) == code)
        for i in bits.indices {
            var flipped = bits
            flipped[i].toggle()
            #expect(PaperPageCode(bits: flipped) != code)
        }
    }

    @Test func readsCirclesOnAnUprightTurnedAndUpsideDownPage() throws {
        let geometry = try #require(PaperPageGeometry(rows: 11, columns: 6))
        var page = SyntheticPage(geometry: geometry, code: code)
        // Row 0: 好 in every column; row 3 column 2: two marks (void); row 5 column 0: a stray dot only.
        for column in 0..<6 { page.circles[(0 * 6 + column) * 4 + 0] = 1 }
        page.circles[(3 * 6 + 2) * 4 + 1] = 1
        page.circles[(3 * 6 + 2) * 4 + 3] = 1
        page.circles[(7 * 6 + 4) * 4 + 2] = 0.9
        page.dots = [(5 * 6 + 0) * 4 + 1]
        for (angle, turned) in [(0.0, false), (0.04, false), (-0.03, true)] {
            let image = page.render(angle: angle, turned: turned)
            let located = try PaperReader.locate(image)
            #expect(located.code == code)
            #expect(located.quarterTurns == (turned ? 2 : 0))
            let reading = PaperReader.read(image, located, geometry: geometry)
            #expect(reading.isSure, "unsure columns \(reading.unsureColumns)")
            let symbols = reading.symbols.map { Character(UnicodeScalar($0)) }
            for column in 0..<6 { #expect(symbols[column] == "1") }
            #expect(symbols[3 * 6 + 2] == "X")
            #expect(symbols[7 * 6 + 4] == "3")
            #expect(symbols[5 * 6 + 0] == "0")
            #expect(symbols.filter { $0 != "0" }.count == 8)
        }
    }

    @Test func aBlankPictureHasNoCornerMarks() {
        let blank = GrayImage(width: 1400, height: 990, pixels: [UInt8](repeating: 230, count: 1400 * 990))!
        #expect(throws: PaperReadFailure.noCornerMarks) { try PaperReader.locate(blank) }
    }

    @Test func columnRules() {
        #expect(PaperMarkRules.column([.empty, .empty, .empty, .empty]) == UInt8(ascii: "0"))
        #expect(PaperMarkRules.column([.empty, .marked, .empty, .empty]) == UInt8(ascii: "2"))
        #expect(PaperMarkRules.column([.marked, .empty, .empty, .marked]) == UInt8(ascii: "X"))
        #expect(PaperMarkRules.column([.marked, .unsure, .empty, .empty]) == PaperMarkRules.unsure)
    }

    @Test func aOneFormSheetCountsInItsOwnCellsOnly() throws {
        let forms = [FormTemplate(id: "a", name: "A", items: ["x"]), FormTemplate(id: "b", name: "B", items: ["y"])]
        let layout = BallotLayout(spec: BallotSpec(reportees: ["r1", "r2"], forms: forms))
        let plan = PaperFormPages.plan(layout: layout, forms: forms)
        #expect(plan.count == 2 && plan[1].pages == [["r1", "r2"]])
        let marks = try #require(plan[1].ballotMarks(page: 0, symbols: Array("12X0".utf8), layout: layout))
        #expect(marks == "--12--X0")
        // One phone ballot of three voters' worth and three sheets of form B from one paper voter: the group rests
        // on the thinnest cell, so the sheets do not pass for three people.
        let stored = [StoredBallot(raterGroup: "g", isVoid: false, marks: "11111111")] + Array(repeating: StoredBallot(raterGroup: "g", isVoid: false, marks: marks), count: 3)
        let tally = try Tally(stored: stored, layout: layout)
        #expect(tally.ballotsByGroup["g"] == 1)
        let a = tally.pooled(CellKey(reportee: "r1", form: "a", column: "overall"))
        #expect(a.good == 1 && a.abstentions == 0 && a.voids == 0)
        let b = tally.pooled(CellKey(reportee: "r2", form: "b", column: "overall"))
        #expect(b.voids == 3 && b.good == 1)
        // An unreadable one-form sheet is void in its own cells only.
        let unreadable = StoredBallot(raterGroup: "g", isVoid: true, marks: "--XX--XX")
        let t2 = try Tally(stored: [unreadable], layout: layout)
        #expect(t2.pooled(CellKey(reportee: "r1", form: "a", column: "overall")) == .zero)
        #expect(t2.pooled(CellKey(reportee: "r1", form: "b", column: "overall")).voids == 1)
    }
}
