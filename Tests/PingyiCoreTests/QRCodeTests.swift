import Foundation
import Testing
@testable import PingyiCore

@Suite("QR code encoder")
struct QRCodeTests {
    @Test func versionGrowsWithTheText() throws {
        #expect(try QRCode(text: "A").version == 1)
        #expect(try QRCode(text: String(repeating: "x", count: 14)).version == 1)
        #expect(try QRCode(text: String(repeating: "x", count: 15)).version == 2)
        #expect(try QRCode(text: String(repeating: "x", count: 213)).version == 10)
        #expect(throws: QRCode.EncodingError.tooLong(bytes: 214, max: 213)) { try QRCode(text: String(repeating: "x", count: 214)) }
        for version in 1...10 {
            let capacity = QRCode.dataCapacity(version) - (version < 10 ? 2 : 3)
            let code = try QRCode(text: String(repeating: "y", count: capacity))
            #expect(code.version == version && code.size == version * 4 + 17)
        }
    }

    @Test func finderPatternsSitInThreeCorners() throws {
        let code = try QRCode(text: "http://127.0.0.1:8080/v#K7QM3XPA9RTBW2HC")
        for (ox, oy) in [(0, 0), (code.size - 7, 0), (0, code.size - 7)] {
            for y in 0..<7 {
                for x in 0..<7 {
                    let ring = max(abs(x - 3), abs(y - 3))
                    #expect(code[ox + x, oy + y] == (ring != 2), "finder at \(ox),\(oy)")
                }
            }
        }
        // timing pattern between the finders
        for i in 8..<(code.size - 8) { #expect(code[i, 6] == (i % 2 == 0) && code[6, i] == (i % 2 == 0)) }
        #expect(code[8, code.size - 8])
    }

    /// The 15 format bits, read back from around the top-left finder, say level M and the chosen mask.
    @Test func formatBitsSayLevelMAndTheMask() throws {
        for text in ["a", "投票码 K7QM-3XPA", String(repeating: "z", count: 100)] {
            let code = try QRCode(text: text)
            var bits = 0
            let positions = (0...5).map { (8, $0) } + [(8, 7), (8, 8), (7, 8)] + (9..<15).map { (14 - $0, 8) }
            for (i, (x, y)) in positions.enumerated() where code[x, y] { bits |= 1 << i }
            let data = (bits ^ 0x5412) >> 10
            #expect(data >> 3 == 0b00, "level M")
            #expect(data & 7 == code.mask)
        }
    }

    @Test func reedSolomonMatchesAKnownRemainder() {
        // The classic example from the QR standard's annex: "01234567" at 1-M.
        let data: [UInt8] = [0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11]
        let ecc = ReedSolomon.remainder(data, divisor: ReedSolomon.divisor(degree: 10))
        #expect(ecc == [0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55])
    }

    @Test func svgDrawsEveryDarkModule() throws {
        let code = try QRCode(text: "评议")
        let svg = code.svg(title: "投票码 <1>")
        #expect(svg.hasPrefix("<svg") && svg.contains("viewBox=\"0 0 \(code.size + 8) \(code.size + 8)\""))
        #expect(svg.contains("<title>投票码 &lt;1&gt;</title>"))
        let widths = svg.matches(of: /h(\d+)v1/).map { Int($0.1)! }
        #expect(widths.reduce(0, +) == code.modules.filter { $0 }.count)
    }

    /// An independent decoder (zbar) reads back what the encoder drew, across every version.
    @Test(arguments: [
        "1", "http://127.0.0.1:8080/v#K7QM3XPA9RTBW2HC", "https://pingyi.example.gov.cn/v#ABCDEFGHJKMNPQRS",
        "2022年度**区基层党组织书记落实主体责任述职评议", String(repeating: "0123456789", count: 8),
        String(repeating: "评", count: 50), String(repeating: "Q", count: 150), String(repeating: "w", count: 213),
    ])
    func zbarDecodesWhatWeDraw(text: String) throws {
        guard let zbar = ["/usr/bin/zbarimg", "/usr/local/bin/zbarimg"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("zbarimg is not installed (apt-get install zbar-tools)") }
            return
        }
        let code = try QRCode(text: text)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("qr-\(UUID().uuidString).pgm")
        try Data(code.pgm(scale: 4)).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: zbar)
        process.arguments = ["--raw", "-q", "-Sbinary", file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "zbar found no code at version \(code.version)")
        var decoded = output
        if decoded.last == 0x0A { decoded.removeLast() }
        #expect(String(decoding: decoded, as: UTF8.self) == text, "version \(code.version) mask \(code.mask)")
    }
}
