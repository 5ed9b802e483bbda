import Foundation

/// A QR Code (ISO/IEC 18004) in byte mode at error-correction level M, versions 1–10 (up to 213 bytes): enough for a
/// voting link with its code. Written here because no Swift package on this machine makes QR codes; tests decode what
/// it draws with an independent decoder (zbar).
public struct QRCode: Sendable, Hashable {
    public let version: Int
    public let size: Int
    public let mask: Int
    /// Row-major: `modules[y * size + x]` is dark.
    public let modules: [Bool]

    public enum EncodingError: Error, Hashable, Sendable {
        case tooLong(bytes: Int, max: Int)
    }

    public subscript(x: Int, y: Int) -> Bool { modules[y * size + x] }

    // Level M, versions 1...10.
    static let totalCodewords = [26, 44, 70, 100, 134, 172, 196, 242, 292, 346]
    static let eccPerBlock = [10, 16, 26, 18, 24, 16, 18, 22, 22, 26]
    static let blocks = [1, 1, 1, 2, 2, 4, 4, 4, 5, 5]
    static let alignment: [[Int]] = [[], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50]]

    static func dataCapacity(_ version: Int) -> Int {
        totalCodewords[version - 1] - eccPerBlock[version - 1] * blocks[version - 1]
    }

    /// Bytes the largest version holds: mode (4 bits) + count (16 bits at v10) + data.
    public static let maxBytes = dataCapacity(10) - 3

    public init(text: String) throws(EncodingError) {
        try self.init(bytes: Array(text.utf8))
    }

    public init(bytes: [UInt8]) throws(EncodingError) {
        guard let version = (1...10).first(where: { v in
            let countBits = v < 10 ? 8 : 16
            return 4 + countBits + bytes.count * 8 <= Self.dataCapacity(v) * 8
        }) else { throw .tooLong(bytes: bytes.count, max: Self.maxBytes) }
        let codewords = Self.interleaved(Self.dataCodewords(bytes, version: version), version: version)
        let size = version * 4 + 17
        var grid = Grid(size: size)
        grid.drawFunctionPatterns(version: version)
        grid.drawCodewords(codewords)
        var best: (mask: Int, penalty: Int, modules: [Bool])?
        for mask in 0..<8 {
            var candidate = grid
            candidate.applyMask(mask)
            candidate.drawFormatBits(mask: mask)
            let penalty = candidate.penalty()
            if best == nil || penalty < best!.penalty { best = (mask, penalty, candidate.modules) }
        }
        self.version = version
        self.size = size
        self.mask = best!.mask
        self.modules = best!.modules
    }

    /// Segment header, data, terminator and padding, as data codewords.
    static func dataCodewords(_ bytes: [UInt8], version: Int) -> [UInt8] {
        var bits: [Bool] = []
        func append(_ value: Int, _ count: Int) {
            for i in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> i) & 1 == 1) }
        }
        append(0b0100, 4)
        append(bytes.count, version < 10 ? 8 : 16)
        for byte in bytes { append(Int(byte), 8) }
        let capacity = dataCapacity(version) * 8
        append(0, min(4, capacity - bits.count))
        append(0, (8 - bits.count % 8) % 8)
        var result = stride(from: 0, to: bits.count, by: 8).map { start in
            (0..<8).reduce(UInt8(0)) { $0 << 1 | (bits[start + $1] ? 1 : 0) }
        }
        var pad: UInt8 = 0xEC
        while result.count < dataCapacity(version) {
            result.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        return result
    }

    /// Splits data into blocks (short ones first), adds Reed–Solomon codewords, interleaves.
    static func interleaved(_ data: [UInt8], version: Int) -> [UInt8] {
        let blockCount = blocks[version - 1]
        let ecc = eccPerBlock[version - 1]
        let total = totalCodewords[version - 1]
        let shortBlocks = blockCount - total % blockCount
        let shortLength = total / blockCount - ecc
        let divisor = ReedSolomon.divisor(degree: ecc)
        var dataBlocks: [[UInt8]] = []
        var eccBlocks: [[UInt8]] = []
        var offset = 0
        for i in 0..<blockCount {
            let length = shortLength + (i < shortBlocks ? 0 : 1)
            let block = Array(data[offset..<offset + length])
            offset += length
            dataBlocks.append(block)
            eccBlocks.append(ReedSolomon.remainder(block, divisor: divisor))
        }
        var result: [UInt8] = []
        for i in 0...shortLength {
            for block in dataBlocks where i < block.count { result.append(block[i]) }
        }
        for i in 0..<ecc {
            for block in eccBlocks { result.append(block[i]) }
        }
        return result
    }

    /// An SVG drawing, one path of unit squares, crisp in print at any size.
    public func svg(quietZone: Int = 4, title: String? = nil) -> String {
        let dimension = size + quietZone * 2
        var path = ""
        for y in 0..<size {
            var x = 0
            while x < size {
                guard self[x, y] else { x += 1; continue }
                let start = x
                while x < size && self[x, y] { x += 1 }
                path += "M\(start + quietZone) \(y + quietZone)h\(x - start)v1h-\(x - start)z"
            }
        }
        let label = title.map { "<title>\(XML.escape($0))</title>" } ?? ""
        return """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(dimension) \(dimension)" shape-rendering="crispEdges" role="img">\
        \(label)<rect width="\(dimension)" height="\(dimension)" fill="#fff"/><path d="\(path)" fill="#000"/></svg>
        """
    }

    /// A binary PGM (P5) image, for decoders that read plain images.
    public func pgm(scale: Int = 4, quietZone: Int = 4) -> [UInt8] {
        let dimension = (size + quietZone * 2) * scale
        var pixels = [UInt8](repeating: 255, count: dimension * dimension)
        for y in 0..<size {
            for x in 0..<size where self[x, y] {
                for dy in 0..<scale {
                    let row = ((y + quietZone) * scale + dy) * dimension
                    for dx in 0..<scale { pixels[row + (x + quietZone) * scale + dx] = 0 }
                }
            }
        }
        return Array("P5\n\(dimension) \(dimension)\n255\n".utf8) + pixels
    }
}

/// The module grid while it is being drawn.
struct Grid {
    let size: Int
    var modules: [Bool]
    var isFunction: [Bool]

    init(size: Int) {
        self.size = size
        modules = Array(repeating: false, count: size * size)
        isFunction = Array(repeating: false, count: size * size)
    }

    mutating func set(_ x: Int, _ y: Int, _ dark: Bool) {
        modules[y * size + x] = dark
        isFunction[y * size + x] = true
    }

    mutating func drawFunctionPatterns(version: Int) {
        for i in 0..<size {
            set(6, i, i % 2 == 0)
            set(i, 6, i % 2 == 0)
        }
        for (x, y) in [(3, 3), (size - 4, 3), (3, size - 4)] {
            for dy in -4...4 {
                for dx in -4...4 where (0..<size).contains(x + dx) && (0..<size).contains(y + dy) {
                    let distance = max(abs(dx), abs(dy))
                    set(x + dx, y + dy, distance != 2 && distance != 4)
                }
            }
        }
        let positions = QRCode.alignment[version - 1]
        for (i, x) in positions.enumerated() {
            for (j, y) in positions.enumerated() {
                let last = positions.count - 1
                if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) { continue }
                for dy in -2...2 {
                    for dx in -2...2 { set(x + dx, y + dy, max(abs(dx), abs(dy)) != 1) }
                }
            }
        }
        drawFormatBits(mask: 0)
        if version >= 7 {
            var remainder = version
            for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
            let bits = version << 12 | remainder
            for i in 0..<18 {
                let dark = (bits >> i) & 1 == 1
                let a = size - 11 + i % 3
                let b = i / 3
                set(a, b, dark)
                set(b, a, dark)
            }
        }
    }

    /// Level M (format bits 00) with the given mask, both copies, and the dark module.
    mutating func drawFormatBits(mask: Int) {
        let data = 0b00 << 3 | mask
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        let bits = (data << 10 | remainder) ^ 0x5412
        let bit = { (i: Int) in (bits >> i) & 1 == 1 }
        for i in 0...5 { set(8, i, bit(i)) }
        set(8, 7, bit(6))
        set(8, 8, bit(7))
        set(7, 8, bit(8))
        for i in 9..<15 { set(14 - i, 8, bit(i)) }
        for i in 0..<8 { set(size - 1 - i, 8, bit(i)) }
        for i in 8..<15 { set(8, size - 15 + i, bit(i)) }
        set(8, size - 8, true)
    }

    /// The zigzag from the bottom right, two columns at a time, skipping the vertical timing column.
    mutating func drawCodewords(_ data: [UInt8]) {
        var i = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            for vertical in 0..<size {
                for j in 0..<2 {
                    let x = right - j
                    let upward = (right + 1) & 2 == 0
                    let y = upward ? size - 1 - vertical : vertical
                    if !isFunction[y * size + x] && i < data.count * 8 {
                        modules[y * size + x] = (data[i >> 3] >> (7 - (i & 7))) & 1 == 1
                        i += 1
                    }
                }
            }
            right -= 2
        }
    }

    mutating func applyMask(_ mask: Int) {
        for y in 0..<size {
            for x in 0..<size where !isFunction[y * size + x] {
                let invert: Bool
                switch mask {
                case 0: invert = (x + y) % 2 == 0
                case 1: invert = y % 2 == 0
                case 2: invert = x % 3 == 0
                case 3: invert = (x + y) % 3 == 0
                case 4: invert = (x / 3 + y / 2) % 2 == 0
                case 5: invert = x * y % 2 + x * y % 3 == 0
                case 6: invert = (x * y % 2 + x * y % 3) % 2 == 0
                default: invert = ((x + y) % 2 + x * y % 3) % 2 == 0
                }
                if invert { modules[y * size + x].toggle() }
            }
        }
    }

    /// The standard's four penalties: runs, 2×2 blocks, finder look-alikes, dark/light balance.
    func penalty() -> Int {
        var score = 0
        let at = { (x: Int, y: Int) in modules[y * size + x] }
        for horizontal in [true, false] {
            for line in 0..<size {
                var runColor = false
                var run = 0
                var history: [Bool] = []
                for k in 0..<size {
                    let dark = horizontal ? at(k, line) : at(line, k)
                    history.append(dark)
                    if k > 0 && dark == runColor {
                        run += 1
                        if run == 5 { score += 3 } else if run > 5 { score += 1 }
                    } else {
                        runColor = dark
                        run = 1
                    }
                }
                // 1:1:3:1:1 with four light modules on one side.
                let pattern = [true, false, true, true, true, false, true]
                for start in 0...(size - 7) where Array(history[start..<start + 7]) == pattern {
                    let before = start >= 4 && !history[(start - 4)..<start].contains(true)
                    let after = start + 11 <= size && !history[(start + 7)..<(start + 11)].contains(true)
                    if before || after { score += 40 }
                }
            }
        }
        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) {
                let color = at(x, y)
                if color == at(x + 1, y) && color == at(x, y + 1) && color == at(x + 1, y + 1) { score += 3 }
            }
        }
        let dark = modules.filter { $0 }.count
        let total = size * size
        let k = (abs(dark * 20 - total * 10) + total - 1) / total - 1
        score += max(k, 0) * 10
        return score
    }
}

/// Reed–Solomon over GF(2⁸) with the QR polynomial x⁸+x⁴+x³+x²+1.
enum ReedSolomon {
    static func multiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
        var z = 0
        for i in stride(from: 7, through: 0, by: -1) {
            z = (z << 1) ^ ((z >> 7) * 0x11D)
            z ^= ((Int(y) >> i) & 1) * Int(x)
        }
        return UInt8(z)
    }

    static func divisor(degree: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: degree)
        result[degree - 1] = 1
        var root: UInt8 = 1
        for _ in 0..<degree {
            for j in 0..<degree {
                result[j] = multiply(result[j], root)
                if j + 1 < degree { result[j] ^= result[j + 1] }
            }
            root = multiply(root, 0x02)
        }
        return result
    }

    static func remainder(_ data: [UInt8], divisor: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: divisor.count)
        for byte in data {
            let factor = byte ^ result.removeFirst()
            result.append(0)
            for i in 0..<result.count { result[i] ^= multiply(divisor[i], factor) }
        }
        return result
    }
}
