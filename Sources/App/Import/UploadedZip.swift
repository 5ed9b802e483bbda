import Foundation
import PingyiZlib

/// An uploaded ZIP (XLSX, DOCX), read by us rather than by ZIPFoundation: its reader traps when a damaged directory
/// points past the data, and loops for ever when a deflate stream does not end where the file does — either takes the
/// server down on one hostile upload. Here every offset and size is checked against the bytes, output is capped, and
/// the CRC must match. Plain ZIP only (no ZIP64, no encryption), which is what Excel, WPS and Word write.
struct UploadedZip {
    struct Entry {
        var method: UInt16
        var flags: UInt16
        var crc: UInt32
        var compressedSize: Int
        var uncompressedSize: Int
        var localHeaderOffset: Int
    }

    let bytes: [UInt8]
    let entries: [String: Entry]

    /// Nil when the data is not a readable ZIP directory.
    init?(_ data: Data) {
        bytes = [UInt8](data)
        guard let entries = Self.directory(bytes) else { return nil }
        self.entries = entries
    }

    func contains(_ path: String) -> Bool { entries[path] != nil }

    /// The entry's content, or nil when it is missing, damaged, encrypted, compressed some other way, or larger than
    /// `limit` bytes once inflated.
    func file(_ path: String, limit: Int) -> Data? {
        guard let entry = entries[path], entry.flags & 1 == 0, entry.uncompressedSize <= limit else { return nil }
        let local = entry.localHeaderOffset
        guard local >= 0, local + 30 <= bytes.count, Self.u32(bytes, local) == 0x0403_4B50 else { return nil }
        let start = local + 30 + Int(Self.u16(bytes, local + 26)) + Int(Self.u16(bytes, local + 28))
        guard start <= bytes.count, entry.compressedSize <= bytes.count - start else { return nil }
        let input = bytes[start..<start + entry.compressedSize]
        let output: [UInt8]
        switch entry.method {
        case 0: output = Array(input)
        case 8:
            guard let inflated = Self.inflate(input, expected: entry.uncompressedSize) else { return nil }
            output = inflated
        default: return nil
        }
        guard output.count == entry.uncompressedSize else { return nil }
        let crc = output.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
        return crc == entry.crc ? Data(output) : nil
    }

    static func u16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    static func u32(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(u16(b, i)) | UInt32(u16(b, i + 2)) << 16 }

    /// The central directory, found from the end record; nil on any size or offset outside the data.
    static func directory(_ b: [UInt8]) -> [String: Entry]? {
        guard b.count >= 22 else { return nil }
        var end = b.count - 22
        let lowest = max(0, b.count - 22 - 0xFFFF)
        while end >= lowest, u32(b, end) != 0x0605_4B50 { end -= 1 }
        guard end >= lowest else { return nil }
        let count = Int(u16(b, end + 10))
        let size = Int(u32(b, end + 12))
        var at = Int(u32(b, end + 16))
        guard at <= end, size <= end - at else { return nil }
        var entries: [String: Entry] = [:]
        for _ in 0..<count {
            guard at + 46 <= end, u32(b, at) == 0x0201_4B50 else { return nil }
            let nameLength = Int(u16(b, at + 28)), extra = Int(u16(b, at + 30)), comment = Int(u16(b, at + 32))
            guard at + 46 + nameLength + extra + comment <= end else { return nil }
            let name = String(decoding: b[at + 46..<at + 46 + nameLength], as: UTF8.self)
            entries[name] = Entry(method: u16(b, at + 10), flags: u16(b, at + 8), crc: u32(b, at + 16),
                                  compressedSize: Int(u32(b, at + 20)), uncompressedSize: Int(u32(b, at + 24)),
                                  localHeaderOffset: Int(u32(b, at + 42)))
            at += 46 + nameLength + extra + comment
        }
        return entries
    }

    /// Raw deflate, stopping with nil at the first sign of trouble: more output than `expected`, input that runs out
    /// before the stream ends, or a stream zlib calls corrupt.
    static func inflate(_ input: ArraySlice<UInt8>, expected: Int) -> [UInt8]? {
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: expected + 1)
        var input = Array(input)
        let result: Int32 = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                // Everything is in memory: one call either finishes the stream or says why not.
                return PingyiZlib.inflate(&stream, Z_FINISH)
            }
        }
        guard result == Z_STREAM_END, Int(stream.total_out) <= expected else { return nil }
        return Array(output.prefix(Int(stream.total_out)))
    }
}
