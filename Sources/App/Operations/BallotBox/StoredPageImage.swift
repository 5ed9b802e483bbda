import Foundation
import PingyiCore
import PingyiZlib

/// 存档页图: what is kept of a scanned page for the tellers' checks, the scrutineer's sample and disputes. The reading
/// is made from the full upload first; the page is then kept at eight levels of grey (a scan's paper noise is most of
/// its bytes; ink, box outlines and corner marks stay plain), raw-deflated like an upload: ~70–100 KB a page, not
/// ~700 KB, and never more than `limit`. Deflated as runs (`Z_RLE`): 6–9 ms a page where the best compression took
/// 0.2–0.6 s, most of an upload's time, for a third more bytes (`bench/omr_dev.py`'s pages, issue 21).
enum StoredPageImage {
    /// The most a kept page may take (`bench/run omr` prints the mean and the largest).
    static let limit = 150 * 1024

    static func compact(_ image: GrayImage) -> Data {
        // Eight levels, or four or two when a grainy scan still takes more than `limit` (a light pencil mark stays a
        // level darker than its paper at four). Each level stands for the middle of its band, so nothing shifts.
        var kept = Data()
        for (mask, middle) in [(UInt8(0xE0), UInt8(0x10)), (0xC0, 0x20), (0x80, 0x40)] {
            kept = rawDeflate(image.pixels.map { $0 & mask | middle })
            if kept.count <= limit { break }
        }
        return kept
    }

    private static func rawDeflate(_ bytes: [UInt8]) -> Data {
        var stream = z_stream()
        guard deflateInit2_(&stream, 6, Z_DEFLATED, -MAX_WBITS, 9, Z_RLE, ZLIB_VERSION,
                            Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return Data() }
        defer { deflateEnd(&stream) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))))
        let written: Int = input.withUnsafeMutableBufferPointer { inPtr in
            output.withUnsafeMutableBufferPointer { outPtr in
                stream.next_in = inPtr.baseAddress
                stream.avail_in = uInt(inPtr.count)
                stream.next_out = outPtr.baseAddress
                stream.avail_out = uInt(outPtr.count)
                guard deflate(&stream, Z_FINISH) == Z_STREAM_END else { return 0 }
                return outPtr.count - Int(stream.avail_out)
            }
        }
        return Data(output.prefix(written))
    }
}
