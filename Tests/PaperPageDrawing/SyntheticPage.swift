import Foundation
import PingyiCore

/// Draws a page as the printer would (corner marks, code, box outlines) with pen circles in chosen boxes, turned and
/// scaled, then reads it back.
public struct SyntheticPage {
    public var geometry: PaperPageGeometry
    public var code: PaperPageCode
    /// (row, column, grade) → circle darkness 0…1 (1 black pen).
    public var circles: [Int: Double] = [:]
    public var dots: [Int] = []
    /// (row, column, grade) → the part of a circle drawn (0…1): a hesitant or faded mark.
    public var arcs: [Int: Double] = [:]

    /// Straight strokes anywhere on the page (page millimetres): a tick's arm, a dash, a ruler's line, a fold.
    public var strokes: [Stroke] = []
    /// How far (mm) the middle of the page-code strip lies below where the corner marks put it, less towards its
    /// ends: a page curled in a hand, photographed.
    public var codeBow = 0.0

    public struct Stroke {
        public var from: (x: Double, y: Double)
        public var to: (x: Double, y: Double)
        /// Line width (mm) and darkness (0…1, 1 black pen).
        public var width: Double
        public var darkness: Double

        public init(from: (x: Double, y: Double), to: (x: Double, y: Double), width: Double = 0.3, darkness: Double = 1) {
            self.from = from
            self.to = to
            self.width = width
            self.darkness = darkness
        }

        func ink(_ u: Double, _ v: Double) -> Double {
            let dx = to.x - from.x, dy = to.y - from.y
            let t = max(0, min(1, ((u - from.x) * dx + (v - from.y) * dy) / max(dx * dx + dy * dy, 1e-9)))
            return hypot(u - (from.x + t * dx), v - (from.y + t * dy)) <= width / 2 ? darkness : 0
        }
    }

    public init(geometry: PaperPageGeometry, code: PaperPageCode) {
        self.geometry = geometry
        self.code = code
    }

    /// (row, column, grade) as the key of `circles` and `dots`.
    public func key(row: Int, column: Int, grade: Int) -> Int { (row * geometry.columns + column) * 4 + grade }

    /// The page at `width` pixels, turned by `angle` radians (and upside down when `turned`), on white paper.
    public func render(width: Int = 1400, angle: Double = 0, turned: Bool = false, paper: UInt8 = 235) -> GrayImage {
        let height = width * 210 / 297
        let scale = Double(width) / 297 * 0.92
        let (cx, cy) = (Double(width) / 2, Double(height) / 2)
        let cosA = cos(angle + (turned ? .pi : 0)), sinA = sin(angle + (turned ? .pi : 0))
        var pixels = [UInt8](repeating: paper, count: width * height)
        // Page millimetres → picture pixels and back.
        func forward(_ u: Double, _ v: Double) -> (Double, Double) {
            let dx = (u - 148.5) * scale, dy = (v - 105) * scale
            return (cosA * dx - sinA * dy + cx, sinA * dx + cosA * dy + cy)
        }
        func paint(_ area: PageRect, _ ink: (Double, Double) -> Double) {
            let corners = [forward(area.x, area.y), forward(area.x + area.width, area.y), forward(area.x, area.y + area.height),
                           forward(area.x + area.width, area.y + area.height)]
            let x0 = max(0, Int(corners.map(\.0).min()!) - 1), x1 = min(width - 1, Int(corners.map(\.0).max()!) + 1)
            let y0 = max(0, Int(corners.map(\.1).min()!) - 1), y1 = min(height - 1, Int(corners.map(\.1).max()!) + 1)
            guard x0 <= x1, y0 <= y1 else { return }
            for y in y0...y1 {
                for x in x0...x1 {
                    // The ink over the whole pixel (3×3 points), as a scanner's sensor sees it: a 0.25 mm line a
                    // pixel wide neither vanishes nor doubles with where it falls.
                    var value = 0.0
                    for sy in 0..<3 {
                        for sx in 0..<3 {
                            let dx = Double(x) - cx + Double(sx - 1) / 3, dy = Double(y) - cy + Double(sy - 1) / 3
                            value += ink((cosA * dx + sinA * dy) / scale + 148.5, (-sinA * dx + cosA * dy) / scale + 105)
                        }
                    }
                    value /= 9
                    if value > 0 { pixels[y * width + x] = min(pixels[y * width + x], UInt8(Double(paper) * (1 - value * 0.9))) }
                }
            }
        }
        var solid: [PageRect] = (0..<4).map { PaperPageGeometry.corner($0) }
        for (i, bit) in code.bits.enumerated() where bit {
            let square = PaperPageGeometry.codeBit(i)
            let bow = codeBow * sin(Double.pi * Double(i) / Double(PaperPageCode.bitCount - 1))
            solid.append(PageRect(x: square.x, y: square.y + bow, width: square.width, height: square.height))
        }
        for rect in solid {
            paint(rect) { u, v in u >= rect.x && u <= rect.x + rect.width && v >= rect.y && v <= rect.y + rect.height ? 1 : 0 }
        }
        for row in 0..<geometry.rows {
            for column in 0..<geometry.columns {
                for grade in 0..<4 {
                    let box = geometry.box(row: row, column: column, grade: grade)
                    paint(box.insetBy(-1)) { u, v in boxInk(u, v, box: box, key: key(row: row, column: column, grade: grade)) }
                }
            }
        }
        for stroke in strokes {
            let x0 = min(stroke.from.x, stroke.to.x) - stroke.width, y0 = min(stroke.from.y, stroke.to.y) - stroke.width
            let area = PageRect(x: x0, y: y0, width: abs(stroke.to.x - stroke.from.x) + 2 * stroke.width,
                                height: abs(stroke.to.y - stroke.from.y) + 2 * stroke.width)
            paint(area) { u, v in stroke.ink(u, v) }
        }
        // A scanner's optics: every picture is a little soft (a 3×3 average).
        for _ in 0..<1 {
            let sharp = pixels
            for y in 1..<(height - 1) {
                for x in 1..<(width - 1) {
                    var sum = 0
                    for dy in -1...1 { for dx in -1...1 { sum += Int(sharp[(y + dy) * width + x + dx]) } }
                    pixels[y * width + x] = UInt8(sum / 9)
                }
            }
        }
        return GrayImage(width: width, height: height, pixels: pixels)!
    }

    func boxInk(_ u: Double, _ v: Double, box: PageRect, key: Int) -> Double {
        let r = hypot(u - box.centerX, v - box.centerY)
        if let value = circles[key], abs(r - 2.4) < 0.3 { return value }
        if dots.contains(key), r < 0.35 { return 1 }
        if let part = arcs[key], abs(r - 2.4) < 0.3, (atan2(v - box.centerY, u - box.centerX) + .pi) / (2 * .pi) < part { return 1 }
        // The printed outline as the form's SVG draws it: a 0.25 mm #555 stroke centred on the box's edge.
        let near = u >= box.x - 0.125 && u <= box.x + box.width + 0.125 && v >= box.y - 0.125 && v <= box.y + box.height + 0.125
        let onEdge = near && (abs(u - box.x) <= 0.125 || abs(box.x + box.width - u) <= 0.125 || abs(v - box.y) <= 0.125 ||
                              abs(box.y + box.height - v) <= 0.125)
        return onEdge ? 0.67 : 0
    }
}

/// Raw deflate without compression (stored blocks), as the browser's `CompressionStream("deflate-raw")` output would
/// inflate: enough for tests to send pages the way the browser does.
public func storedDeflate(_ bytes: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    var at = 0
    repeat {
        let n = min(65535, bytes.count - at)
        out.append(at + n == bytes.count ? 1 : 0)
        out += [UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
        out += bytes[at..<(at + n)]
        at += n
    } while at < bytes.count
    return out
}
