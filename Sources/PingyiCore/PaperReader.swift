import Foundation

/// An 8-bit grayscale picture (0 black … 255 white), row by row: what the browser uploads for a scanned page.
public struct GrayImage: Sendable {
    public var width: Int
    public var height: Int
    public var pixels: [UInt8]

    public init?(width: Int, height: Int, pixels: [UInt8]) {
        guard width > 0, height > 0, pixels.count == width * height else { return nil }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Bilinear sample at (x, y) in pixels; outside the picture reads as white.
    @inline(__always)
    public func sample(_ x: Double, _ y: Double) -> Double {
        let x0 = Int(x.rounded(.down)), y0 = Int(y.rounded(.down))
        guard x0 >= 0, y0 >= 0, x0 + 1 < width, y0 + 1 < height else { return 255 }
        let fx = x - Double(x0), fy = y - Double(y0)
        let i = y0 * width + x0
        let a = Double(pixels[i]), b = Double(pixels[i + 1]), c = Double(pixels[i + width]), d = Double(pixels[i + width + 1])
        return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy
    }
}

/// Page millimetres → picture pixels: a projective map fitted to the four corner marks, so rotation, scale and a
/// phone photo's perspective are one fit.
public struct PageHomography: Sendable {
    var h: [Double]

    /// `nil` when the four points are degenerate.
    public init?(from page: [(x: Double, y: Double)], to picture: [(x: Double, y: Double)]) {
        guard page.count == 4, picture.count == 4 else { return nil }
        var a = [[Double]](repeating: [Double](repeating: 0, count: 9), count: 8)
        for i in 0..<4 {
            let (u, v) = page[i], (x, y) = picture[i]
            a[2 * i] = [u, v, 1, 0, 0, 0, -u * x, -v * x, x]
            a[2 * i + 1] = [0, 0, 0, u, v, 1, -u * y, -v * y, y]
        }
        for col in 0..<8 {
            guard let pivot = (col..<8).max(by: { abs(a[$0][col]) < abs(a[$1][col]) }), abs(a[pivot][col]) > 1e-9 else { return nil }
            a.swapAt(col, pivot)
            for row in 0..<8 where row != col {
                let f = a[row][col] / a[col][col]
                if f != 0 { for k in col..<9 { a[row][k] -= f * a[col][k] } }
            }
        }
        h = (0..<8).map { a[$0][8] / a[$0][$0] }
    }

    @inline(__always)
    public func map(_ u: Double, _ v: Double) -> (x: Double, y: Double) {
        let w = h[6] * u + h[7] * v + 1
        return ((h[0] * u + h[1] * v + h[2]) / w, (h[3] * u + h[4] * v + h[5]) / w)
    }
}

/// Why a picture could not be read as one of our pages.
public enum PaperReadFailure: Error, Hashable, Sendable {
    /// No four corner marks: a blank page, a photo of something else, a page cut off.
    case noCornerMarks
    /// Corner marks found, but the page code does not read with a valid check.
    case unreadableCode

    public var message: String {
        switch self {
        case .noCornerMarks: "没有找到评议表四角的定位方块：可能是空白页、不是本系统打印的评议表，或拍照时四角没有拍全"
        case .unreadableCode: "找到了定位方块，但页码无法识别：请重新扫描或拍照（保持平整、光线均匀），或交人工录入"
        }
    }
}

/// A page found in a picture: its code and where its millimetres lie.
public struct LocatedPage: Sendable {
    public var code: PaperPageCode
    /// 0: upright; 1–3: turned by that many quarter turns (read as upright all the same).
    public var quarterTurns: Int
    public var homography: PageHomography
    /// Mean darkness of the corner marks and of blank paper near the code, 0–255.
    public var black: Double
    public var white: Double
}

/// What the reader saw in one box: `score` is ink above the row's empty boxes (0 none … ~0.3 heavy).
public enum BoxState: UInt8, Sendable, Hashable, Codable {
    case empty, marked, unsure
}

/// 光标阅读: the reading of one page — every box's score and state, and each column's symbol for the ballot
/// (`0`–`4`, `X` several marks, `?` unsure: people decide).
public struct PaperPageReading: Sendable, Hashable {
    public var rows: Int
    public var columns: Int
    /// Row-major (row, column, grade).
    public var scores: [Double]
    /// Where the ink sits in each box (millimetres from the box's centre; zero in an empty box): two scans of one
    /// sheet agree on it to a fraction of a millimetre, two people's circles do not.
    public var inkCentres: [PageOffset]
    public var states: [BoxState]
    public var symbols: [UInt8]

    public var unsureColumns: [Int] { symbols.indices.filter { symbols[$0] == PaperMarkRules.unsure } }

    /// Another reading of the same printed page looks like a second scan of this very sheet: the same symbols, and in
    /// every box marked in both the ink where this one has it (within 0.3 mm on average). Two voters' marks that
    /// happen to say the same do not sit the same to a fraction of a millimetre in every box.
    public func looksLikeSecondScan(symbols other: [UInt8], inkCentres theirs: [PageOffset], scores theirScores: [Double]) -> Bool {
        guard other.count == symbols.count, theirs.count == inkCentres.count, theirScores.count == scores.count else { return false }
        guard zip(symbols, other).allSatisfy({ $0 == $1 || $0 == PaperMarkRules.unsure || $1 == PaperMarkRules.unsure }) else { return false }
        var distance = 0.0, marked = 0
        for i in scores.indices where scores[i] >= PaperMarkRules.marked && theirScores[i] >= PaperMarkRules.marked {
            distance += hypot(inkCentres[i].dx - theirs[i].dx, inkCentres[i].dy - theirs[i].dy)
            marked += 1
        }
        return marked >= 3 && distance / Double(marked) < 0.3
    }
    public var isSure: Bool { !symbols.contains(PaperMarkRules.unsure) }
}

/// A position relative to a box's centre, in millimetres.
public struct PageOffset: Hashable, Sendable {
    public var dx: Double
    public var dy: Double

    public init(dx: Double, dy: Double) {
        self.dx = dx
        self.dy = dy
    }
}

/// 纸质票的识别规则: when a box counts as marked, and what a column of four boxes says. Nothing is counted on a
/// guess: a box between the two thresholds is unsure, and so is every column holding one.
public enum PaperMarkRules {
    public static let unsure = UInt8(ascii: "?")
    /// Ink score at or above which a box is marked.
    public static let marked = 0.09
    /// Ink score at or below which a box is empty.
    public static let empty = 0.055

    public static func state(_ score: Double) -> BoxState {
        score >= marked ? .marked : score <= empty ? .empty : .unsure
    }

    /// One column's four boxes → `0` abstention, `1`–`4` the grade, `X` two or more marks (void column), `?` unsure.
    public static func column(_ states: ArraySlice<BoxState>) -> UInt8 {
        if states.contains(.unsure) { return unsure }
        let marked = states.indices.filter { states[$0] == .marked }
        switch marked.count {
        case 0: return UInt8(ascii: "0")
        case 1: return UInt8(ascii: "1") + UInt8(marked[0] - states.startIndex)
        default: return UInt8(ascii: "X")
        }
    }

    /// A person's decision for an unsure column: the same symbols, `?` not allowed.
    public static func isDecision(_ symbol: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "4")).contains(symbol) || symbol == UInt8(ascii: "X")
    }
}

public enum PaperReader {
    /// Finds the corner marks, fits the page and reads its code, trying each quarter turn.
    public static func locate(_ image: GrayImage) throws(PaperReadFailure) -> LocatedPage {
        guard let corners = findCornerMarks(image) else { throw .noCornerMarks }
        let page = PaperPageGeometry.cornerCenters
        for turns in 0..<4 {
            let picture = (0..<4).map { corners[($0 + turns) % 4] }
            guard let h = PageHomography(from: page, to: picture) else { continue }
            let black = (0..<4).map { mean(image, h, PaperPageGeometry.corner($0).insetBy(1.5), n: 5) }.reduce(0, +) / 4
            let white = percentile(samples(image, h, PaperPageGeometry.codeWhiteBand, nx: 40, ny: 2), 0.5)
            guard white - black > 40 else { continue }
            var bits: [Bool] = []
            var confident = true
            for i in 0..<PaperPageCode.bitCount {
                let v = (white - mean(image, h, PaperPageGeometry.codeBit(i).insetBy(0.6), n: 4)) / (white - black)
                if abs(v - 0.5) < 0.2 { confident = false; break }
                bits.append(v > 0.5)
            }
            if confident, let code = PaperPageCode(bits: bits) {
                return LocatedPage(code: code, quarterTurns: turns, homography: h, black: black, white: white)
            }
        }
        throw .unreadableCode
    }

    /// Measures every box of the page and classifies it.
    public static func read(_ image: GrayImage, _ page: LocatedPage, geometry: PaperPageGeometry) -> PaperPageReading {
        let h = page.homography
        var scores: [Double] = []
        var centres: [PageOffset] = []
        scores.reserveCapacity(geometry.rows * geometry.columns * 4)
        // Where to look around a box: up to 1 mm beyond it (a circle drawn over its edge still counts), but not
        // within 0.4 mm of the printed outline, whose few samples would otherwise weigh more or less by chance.
        let n = 24, reach = 1.0, band = 0.4
        let size = geometry.boxSize + 2 * reach
        var offsets: [(Double, Double)] = []
        for j in 0..<n {
            for i in 0..<n {
                let u = (Double(i) + 0.5) * size / Double(n) - reach, v = (Double(j) + 0.5) * size / Double(n) - reach
                let toEdge = min(abs(u), abs(v), abs(geometry.boxSize - u), abs(geometry.boxSize - v))
                let inside = u > 0 && v > 0 && u < geometry.boxSize && v < geometry.boxSize
                if toEdge >= band || (!inside && min(abs(u), abs(geometry.boxSize - u)) >= band && min(abs(v), abs(geometry.boxSize - v)) >= band) {
                    offsets.append((u, v))
                }
            }
        }
        for row in 0..<geometry.rows {
            var rowSamples: [[Double]] = []
            for column in 0..<geometry.columns {
                for grade in 0..<4 {
                    let box = geometry.box(row: row, column: column, grade: grade)
                    rowSamples.append(offsets.map { o in
                        let p = h.map(box.x + o.0, box.y + o.1)
                        return image.sample(p.x, p.y)
                    })
                }
            }
            // Paper white around each box (a shadow or uneven light changes it across a row); a sample is ink when
            // clearly darker than that — a thin pencil line counts as much as a pen line. What is left of the
            // printed outline is in every box: the row's median box (at most one in four is marked) is the empty box.
            var ink: [Double] = []
            for s in rowSamples {
                let white = max(percentile(s, 0.8), page.black + 40)
                let cut = white - 0.13 * (white - page.black)
                var n = 0, sx = 0.0, sy = 0.0
                for (value, o) in zip(s, offsets) where value < cut {
                    n += 1
                    sx += o.0
                    sy += o.1
                }
                ink.append(Double(n) / Double(s.count))
                let half = geometry.boxSize / 2
                centres.append(n == 0 ? PageOffset(dx: 0, dy: 0) : PageOffset(dx: sx / Double(n) - half, dy: sy / Double(n) - half))
            }
            let baseline = percentile(ink, 0.5)
            scores += ink.map { max($0 - baseline, 0) }
        }
        let states = scores.map(PaperMarkRules.state)
        let symbols = stride(from: 0, to: states.count, by: 4).map { PaperMarkRules.column(states[$0..<$0 + 4]) }
        return PaperPageReading(rows: geometry.rows, columns: geometry.columns, scores: scores, inkCentres: centres, states: states,
                                symbols: symbols)
    }

    // MARK: corner marks

    /// The four solid squares nearest the picture's corners (top-left, top-right, bottom-right, bottom-left), found
    /// on a reduced copy with a local threshold so uneven light and a dark table around a photo do not matter.
    static func findCornerMarks(_ image: GrayImage) -> [(x: Double, y: Double)]? {
        let scale = max(1, max(image.width, image.height) / 700)
        let w = image.width / scale, hgt = image.height / scale
        guard w > 40, hgt > 40 else { return nil }
        var small = [Int32](repeating: 0, count: w * hgt)
        image.pixels.withUnsafeBufferPointer { px in
            for y in 0..<hgt {
                for x in 0..<w {
                    var sum: Int32 = 0
                    for dy in 0..<scale {
                        let base = (y * scale + dy) * image.width + x * scale
                        for dx in 0..<scale { sum += Int32(px[base + dx]) }
                    }
                    small[y * w + x] = sum / Int32(scale * scale)
                }
            }
        }
        // Integral image for the local mean.
        var integral = [Int64](repeating: 0, count: (w + 1) * (hgt + 1))
        for y in 0..<hgt {
            var row: Int64 = 0
            for x in 0..<w {
                row += Int64(small[y * w + x])
                integral[(y + 1) * (w + 1) + x + 1] = integral[y * (w + 1) + x + 1] + row
            }
        }
        let r = max(8, max(w, hgt) / 30)
        var dark = [Bool](repeating: false, count: w * hgt)
        for y in 0..<hgt {
            let y0 = max(0, y - r), y1 = min(hgt, y + r + 1)
            for x in 0..<w {
                let x0 = max(0, x - r), x1 = min(w, x + r + 1)
                let sum = integral[y1 * (w + 1) + x1] - integral[y0 * (w + 1) + x1] - integral[y1 * (w + 1) + x0] + integral[y0 * (w + 1) + x0]
                let mean = Double(sum) / Double((y1 - y0) * (x1 - x0))
                let p = Double(small[y * w + x])
                dark[y * w + x] = p < mean * 0.72 && p < 150
            }
        }
        struct Blob { var minX, maxX, minY, maxY, count: Int; var sx, sy: Double }
        var blobs: [Blob] = []
        var seen = [Bool](repeating: false, count: w * hgt)
        var stack: [Int] = []
        for start in 0..<(w * hgt) where dark[start] && !seen[start] {
            var b = Blob(minX: .max, maxX: 0, minY: .max, maxY: 0, count: 0, sx: 0, sy: 0)
            seen[start] = true
            stack.append(start)
            while let i = stack.popLast() {
                let x = i % w, y = i / w
                b.count += 1; b.sx += Double(x); b.sy += Double(y)
                b.minX = min(b.minX, x); b.maxX = max(b.maxX, x); b.minY = min(b.minY, y); b.maxY = max(b.maxY, y)
                if x > 0, dark[i - 1], !seen[i - 1] { seen[i - 1] = true; stack.append(i - 1) }
                if x + 1 < w, dark[i + 1], !seen[i + 1] { seen[i + 1] = true; stack.append(i + 1) }
                if y > 0, dark[i - w], !seen[i - w] { seen[i - w] = true; stack.append(i - w) }
                if y + 1 < hgt, dark[i + w], !seen[i + w] { seen[i + w] = true; stack.append(i + w) }
            }
            let bw = b.maxX - b.minX + 1, bh = b.maxY - b.minY + 1
            guard bw >= 4, bh >= 4, bw < w / 8, bh < hgt / 8, b.minX > 0, b.minY > 0, b.maxX < w - 1, b.maxY < hgt - 1 else { continue }
            let aspect = Double(bw) / Double(bh)
            guard aspect > 0.6, aspect < 1.67, Double(b.count) >= 0.7 * Double(bw * bh) else { continue }
            blobs.append(b)
        }
        guard let largest = blobs.map(\.count).max() else { return nil }
        let squares = blobs.filter { Double($0.count) >= 0.35 * Double(largest) }
        guard squares.count >= 4 else { return nil }
        let centre = { (b: Blob) in (x: b.sx / Double(b.count), y: b.sy / Double(b.count)) }
        let points = squares.map(centre)
        let tl = points.min { $0.x + $0.y < $1.x + $1.y }!, br = points.max { $0.x + $0.y < $1.x + $1.y }!
        let tr = points.max { $0.x - $0.y < $1.x - $1.y }!, bl = points.min { $0.x - $0.y < $1.x - $1.y }!
        let quad = [tl, tr, br, bl]
        // Four different points spanning a good part of the picture, in convex order.
        for i in 0..<4 {
            let a = quad[i], b = quad[(i + 1) % 4], c = quad[(i + 2) % 4]
            let side = hypot(b.x - a.x, b.y - a.y)
            guard side > Double(min(w, hgt)) * 0.25 else { return nil }
            let cross = (b.x - a.x) * (c.y - b.y) - (b.y - a.y) * (c.x - b.x)
            guard cross > 0 else { return nil }
        }
        let s = Double(scale)
        return quad.map { (x: ($0.x + 0.5) * s - 0.5, y: ($0.y + 0.5) * s - 0.5) }
    }

    // MARK: sampling

    static func samples(_ image: GrayImage, _ h: PageHomography, _ rect: PageRect, nx: Int, ny: Int) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(nx * ny)
        for j in 0..<ny {
            let v = rect.y + (Double(j) + 0.5) * rect.height / Double(ny)
            for i in 0..<nx {
                let p = h.map(rect.x + (Double(i) + 0.5) * rect.width / Double(nx), v)
                out.append(image.sample(p.x, p.y))
            }
        }
        return out
    }

    static func mean(_ image: GrayImage, _ h: PageHomography, _ rect: PageRect, n: Int) -> Double {
        let s = samples(image, h, rect, nx: n, ny: n)
        return s.reduce(0, +) / Double(s.count)
    }

    static func percentile(_ values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * q + 0.5))]
    }
}
