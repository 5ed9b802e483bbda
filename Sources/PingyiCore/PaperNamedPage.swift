import Foundation

/// 指定页码: the corner marks of a page are found but its page code cannot be read (a smudge, a square drawn over).
/// A teller names the page — its rater group, form and page, as the words printed on it say — and the page is read as
/// that one, so it need not be keyed by hand. The name is not taken on trust: the code squares that can still be read
/// must agree with the named code, and the page must be found upright in one quarter turn.
public enum PaperNamedPage {
    /// Of the code squares that read clearly, the share that must agree with the named code.
    public static let agreement = 0.9
    /// Code squares that must read clearly at all: a page whose code is mostly gone is keyed by hand.
    public static let readableSquares = PaperPageCode.bitCount / 2

    /// The page located as `code`: the quarter turn whose clear code squares agree best with it (net of those that do not).
    public static func locate(_ image: GrayImage, as code: PaperPageCode) throws(PaperNamedPageFailure) -> LocatedPage {
        guard let corners = PaperReader.findCornerMarks(image) else { throw .noCornerMarks }
        let expected = code.bits
        var best: (located: LocatedPage, agree: Int, clear: Int)?
        for turns in 0..<4 {
            let picture = (0..<4).map { corners[($0 + turns) % 4] }
            guard let h = PageHomography(from: PaperPageGeometry.cornerCenters, to: picture),
                  let tones = PaperReader.pageTones(image, h) else { continue }
            var agree = 0, clear = 0
            for (i, v) in PaperReader.codeDarkness(image, h, tones: tones).enumerated() {
                guard abs(v - 0.5) >= 0.2 else { continue }
                clear += 1
                if (v > 0.5) == expected[i] { agree += 1 }
            }
            // The turn whose clear squares agree best, net of those that disagree (a wrong turn reads many squares,
            // about half of them by chance).
            if best == nil || 2 * agree - clear > 2 * best!.agree - best!.clear {
                best = (LocatedPage(code: code, quarterTurns: turns, homography: h, black: tones.black, white: tones.white), agree, clear)
            }
        }
        guard let best, best.clear >= readableSquares else { throw .codeMostlyGone }
        guard Double(best.agree) >= agreement * Double(best.clear) else { throw .otherPage }
        return best.located
    }
}

/// Why a page cannot be read as the page a teller named.
public enum PaperNamedPageFailure: Error, Hashable, Sendable {
    case noCornerMarks
    /// Too few code squares read clearly to check the name against: key the sheet by hand.
    case codeMostlyGone
    /// The code squares that read say another page (another group, form, page, round or campaign).
    case otherPage

    public var message: String {
        switch self {
        case .noCornerMarks: "没有找到评议表四角的定位方块：请重新扫描，或交人工录入"
        case .codeMostlyGone: "页码方块大部分无法识别，无法核对指定的评议表：请交人工录入（取出一张并编号）"
        case .otherPage: "页码方块中能识别的部分与指定的评议人类别、评议表或页不符：请核对纸面上印的文字后重新指定"
        }
    }
}
