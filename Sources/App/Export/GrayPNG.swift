import Foundation
import PingyiZlib

/// An 8-bit grayscale PNG, for the crops and pages the tellers and the scrutineer look at (zlib from the system).
enum GrayPNG {
    static func encode(width: Int, height: Int, pixels: [UInt8]) -> Data {
        var raw = [UInt8]()
        raw.reserveCapacity((width + 1) * height)
        for y in 0..<height {
            raw.append(0)
            raw += pixels[(y * width)..<((y + 1) * width)]
        }
        var bound = compressBound(uLong(raw.count))
        var compressed = [UInt8](repeating: 0, count: Int(bound))
        _ = compress2(&compressed, &bound, raw, uLong(raw.count), 6)
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        func chunk(_ type: String, _ data: [UInt8]) {
            png += be32(UInt32(data.count))
            let body = Array(type.utf8) + data
            png += body
            png += be32(UInt32(body.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }))
        }
        chunk("IHDR", be32(UInt32(width)) + be32(UInt32(height)) + [8, 0, 0, 0, 0])
        chunk("IDAT", Array(compressed.prefix(Int(bound))))
        chunk("IEND", [])
        return Data(png)
    }

    private static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
}
