import Foundation
import PingyiCore

/// `read-pages --list FILE`: reads pictures that cannot go through the upload route (pages printed for another
/// campaign, such as the outside test's regression pages) with the reader the route uses, for e2e/test_omr_samples.py.
/// FILE is JSON: [{"path", "width", "height", "rows", "columns"}], each path 8-bit grey pixels as the browser sends them
/// (inflated). Prints JSON: [{"symbols": "…"} or {"refused": "…"}]. With `--features yes`, each read page also gives
/// "boxes": every box's measured ink (`PaperReader.BoxInk`: ink, faint, core, coverage, heavy, spread, touch, peak,
/// inkTowardLeft, inkTowardRight, breadth, centre.dx, centre.dy, strike), for working on the rules.
enum ReadPages {
    struct Page: Decodable { var path: String; var width: Int; var height: Int; var rows: Int; var columns: Int }

    static func run(options: Options) throws {
        guard let list = options.values["list"] else { Bench.usage() }
        let pages = try JSONDecoder().decode([Page].self, from: Data(contentsOf: URL(fileURLWithPath: list)))
        let features = options.values["features"] == "yes"
        var out: [[String: Any]] = []
        for page in pages {
            let pixels = [UInt8](try Data(contentsOf: URL(fileURLWithPath: page.path)))
            guard let image = GrayImage(width: page.width, height: page.height, pixels: pixels),
                  let geometry = PaperPageGeometry(rows: page.rows, columns: page.columns) else {
                out.append(["refused": "bad picture or geometry"])
                continue
            }
            do {
                let located = try PaperReader.locate(image)
                let boxes = PaperReader.measure(image, located, geometry: geometry)
                let reading = PaperReader.read(boxes: boxes, page: located, geometry: geometry)
                var answer: [String: Any] = ["symbols": String(decoding: reading.symbols, as: UTF8.self)]
                if features {
                    answer["boxes"] = boxes.map { b in
                        [b.ink, b.faint, b.core, b.coverage, b.heavy, b.spread, b.touch, b.peak, b.inkTowardLeft, b.inkTowardRight, b.breadth, b.centre.dx, b.centre.dy, b.strike]
                    }
                }
                out.append(answer)
            } catch {
                out.append(["refused": error.message])
            }
        }
        FileHandle.standardOutput.write(try JSONSerialization.data(withJSONObject: out))
    }
}
