import Foundation
import PingyiCore
#if canImport(Glibc)
import Glibc
#endif

/// Reads an uploaded table (CSV in UTF-8 or GB18030, or the first sheet of an XLSX workbook) into records.
enum ImportFile {
    static let maxBytes = 5 * 1024 * 1024

    static func records(from data: Data) throws(ImportFailure) -> [CSVRecord] {
        guard !data.isEmpty else { throw ImportFailure([ImportIssue(line: 0, message: "文件是空的")]) }
        guard data.count <= maxBytes else { throw ImportFailure([ImportIssue(line: 0, message: "文件超过 5 MB")]) }
        if data.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            return try XLSXReader.firstSheet(data)
        }
        guard let text = plainText(data) else {
            throw ImportFailure([ImportIssue(line: 0, message: "无法读取文件：请上传 XLSX，或 UTF-8、GBK 编码的 CSV")])
        }
        do {
            return try CSV.parse(text)
        } catch {
            throw ImportFailure([error.issue])
        }
    }

    /// Text a person wrote: no NUL byte, decodable, and hardly any control characters.
    static func plainText(_ data: Data) -> String? {
        guard !data.contains(0), let text = decodeText(data) else { return nil }
        let controls = text.unicodeScalars.filter { $0.value < 32 && !"\t\n\r\u{0C}".unicodeScalars.contains($0) }.count
        return controls * 100 <= text.unicodeScalars.count ? text : nil
    }

    /// UTF-8 (with or without BOM), else GB18030 — what Excel on a Chinese Windows writes as "CSV".
    static func decodeText(_ data: Data) -> String? {
        if let text = String(data: data, encoding: .utf8) { return text }
        return convert(data, from: "GB18030")
    }

    static func convert(_ data: Data, from encoding: String) -> String? {
        #if canImport(Glibc)
        let converter = iconv_open("UTF-8", encoding)
        guard converter != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(converter) }
        var input = [CChar](repeating: 0, count: data.count)
        data.withUnsafeBytes { raw in
            for (i, byte) in raw.enumerated() { input[i] = CChar(bitPattern: byte) }
        }
        var output = [CChar](repeating: 0, count: data.count * 4 + 4)
        var produced = 0
        let ok: Bool = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                var inPointer: UnsafeMutablePointer<CChar>? = inBuffer.baseAddress
                var inLeft = inBuffer.count
                var outPointer: UnsafeMutablePointer<CChar>? = outBuffer.baseAddress
                var outLeft = outBuffer.count
                let result = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                if result == -1 || inLeft != 0 { return false }
                produced = outBuffer.count - outLeft
                return true
            }
        }
        guard ok else { return nil }
        return String(data: Data(output.prefix(produced).map { UInt8(bitPattern: $0) }), encoding: .utf8)
        #else
        return nil
        #endif
    }
}
