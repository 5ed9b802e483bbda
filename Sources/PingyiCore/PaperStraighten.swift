import Foundation

extension PaperReader {
    /// The whole page, in page millimetres.
    public static let wholePage = PageRect(x: 0, y: 0, width: PaperPageGeometry.pageWidth, height: PaperPageGeometry.pageHeight)

    /// A picture of `rect` (page millimetres) as if the page lay flat and square, `scale` pixels a millimetre: each
    /// pixel sampled through the homography of the page's corner marks. For people checking what the reader saw.
    public static func straighten(_ image: GrayImage, rect: PageRect = PaperReader.wholePage, scale: Double = 3) throws(PaperReadFailure) -> GrayImage {
        straighten(image, along: try locate(image).homography, rect: rect, scale: scale)
    }

    /// As above, with the page already located.
    public static func straighten(_ image: GrayImage, along homography: PageHomography, rect: PageRect, scale: Double) -> GrayImage {
        let width = max(1, Int(rect.width * scale)), height = max(1, Int(rect.height * scale))
        var out = [UInt8](repeating: 255, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let p = homography.map(rect.x + (Double(x) + 0.5) / scale, rect.y + (Double(y) + 0.5) / scale)
                out[y * width + x] = UInt8(max(0, min(255, image.sample(p.x, p.y))))
            }
        }
        return GrayImage(width: width, height: height, pixels: out)!
    }
}

extension PaperPageGeometry {
    /// Pixels a millimetre for a row crop (the whole page is shown at 3).
    public static let rowCropScale = 5.0

    /// One secretary's row, from the name to the last box, with half a millimetre to spare: what a checker compares.
    public func rowCrop(_ row: Int) -> PageRect {
        PageRect(x: Self.nameLeft, y: rowTop(row) - 0.5, width: Self.boxesRight + 1 - Self.nameLeft, height: Self.rowHeight + 1)
    }

    /// Each column's place on a row crop as [left, width], fractions of the crop's width (the check screen's highlight).
    public var rowCropColumnSpans: [[Double]] {
        let crop = rowCrop(0)
        return (0..<columns).map { c in [(columnLeft(c) - crop.x) / crop.width, 4 * pitch / crop.width] }
    }
}
