import PingyiCore

extension SyntheticPage {
    /// The page as `render()` draws it (upright, not turned), with code squares `bits` smudged to mid-gray — neither
    /// printed nor blank, as a smudge or a stroke across them leaves them — so its page code cannot be read.
    public func renderSmudgingCode(bits: Range<Int>, width: Int = 1400) -> GrayImage {
        var image = render(width: width)
        let scale = Double(image.width) / 297 * 0.92, cx = Double(image.width) / 2, cy = Double(image.height) / 2
        for i in bits {
            let r = PaperPageGeometry.codeBit(i).insetBy(-0.3)
            for y in Int((r.y - 105) * scale + cy)...Int((r.y + r.height - 105) * scale + cy) {
                for x in Int((r.x - 148.5) * scale + cx)...Int((r.x + r.width - 148.5) * scale + cx) { image.pixels[y * image.width + x] = 129 }
            }
        }
        return image
    }
}
