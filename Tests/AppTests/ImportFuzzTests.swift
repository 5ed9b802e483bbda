@testable import App
import Foundation
import PingyiCore
import Testing

/// The uploaded-table reader on damaged and hostile files: a real workbook (from our own writer) with bytes flipped,
/// cut short or stretched, and random bytes posing as CSV. Each ends in records or a Chinese import error — no trap.
@Suite("Fuzzing the XLSX and CSV upload reader")
struct ImportFuzzTests {
    static func workbook() throws -> Data {
        try XLSXWriter.workbook([XLSXSheet(name: "参评人员", rows: [
            [.text("姓名"), .text("单位"), .text("身份"), .text("评议人类别")],
            [.text("张三"), .text("**镇党委"), .text("出席"), .text("班子成员")],
            [.text("李四 <&\"'>"), .text("**乡党委"), .text("列席"), .empty],
            [.number(42), .percent(0.5), .score(88.25), .text("=1+1")],
        ])])
    }

    @Test func theIntactWorkbookReadsBack() throws {
        let records = try ImportFile.records(from: try Self.workbook())
        #expect(records.first?.fields == ["姓名", "单位", "身份", "评议人类别"])
        #expect(records.contains { $0.fields.contains("李四 <&\"'>") })
    }

    @Test(arguments: [UInt64(1), 2, 3, 4])
    func damagedWorkbooksAreReadOrRefusedWithAReason(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let original = [UInt8](try Self.workbook())
        for round in 0..<400 {
            // Setup: flip some bytes, cut the end, or repeat a stretch.
            var bytes = original
            switch round % 3 {
            case 0:
                for _ in 0..<Int.random(in: 1...8, using: &random) {
                    bytes[Int.random(in: 4..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
            case 1:
                bytes = Array(bytes.prefix(Int.random(in: 4..<bytes.count, using: &random)))
            default:
                let start = Int.random(in: 4..<bytes.count, using: &random)
                bytes.insert(contentsOf: bytes[start..<min(bytes.count, start + 200)], at: start)
            }
            // Call and check
            do {
                let records = try ImportFile.records(from: Data(bytes))
                #expect(records.allSatisfy { $0.line >= 1 })
            } catch {
                #expect(!error.issues.isEmpty && error.issues.allSatisfy { !$0.message.isEmpty }, "seed \(seed) round \(round)")
            }
        }
    }

    @Test(arguments: [UInt64(7), 8])
    func randomBytesAreReadOrRefusedWithAReason(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        for _ in 0..<1_000 {
            let bytes = (0..<Int.random(in: 1...300, using: &random)).map { _ in
                // Mostly text-like bytes (ASCII, GBK lead bytes, quotes and line ends), sometimes anything.
                Int.random(in: 0..<4, using: &random) == 0 ? UInt8.random(in: 0...255, using: &random)
                    : [UInt8(ascii: "a"), 0x22, 0x2C, 0x0A, 0x0D, 0xB9, 0xFA, 0xE5, 0xBC, 0xA0].randomElement(using: &random)!
            }
            do {
                let records = try ImportFile.records(from: Data(bytes))
                #expect(records.allSatisfy { $0.line >= 1 })
            } catch {
                #expect(!error.issues.isEmpty)
            }
        }
    }
}
