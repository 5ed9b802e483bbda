import Foundation

/// 重复扫描: whether a page may be a second scan of a sheet already in. Where ink was put is what tells two sheets
/// apart (`PaperPageReading.looksLikeSecondScan`); a page with too few marks has too little ink to tell, so one that
/// reads the same as an earlier page of the same rater group, form and page is held for a person rather than counted
/// twice — a blank sheet scanned twice among them.
public enum PaperSecondScan {
    /// Boxes marked on both pages that it takes to tell two sheets apart by where their ink sits.
    public static let marksToTellApart = 3

    /// The two pages read the same (a column one page is unsure of matches anything) and fewer than
    /// `marksToTellApart` boxes are marked on both, so nothing on them can show they are two sheets.
    public static func indistinguishable(symbols: [UInt8], scores: [Double], otherSymbols: [UInt8], otherScores: [Double]) -> Bool {
        guard symbols.count == otherSymbols.count, scores.count == otherScores.count else { return false }
        guard zip(symbols, otherSymbols).allSatisfy({ $0 == $1 || $0 == PaperMarkRules.unsure || $1 == PaperMarkRules.unsure }) else {
            return false
        }
        let markedInBoth = zip(scores, otherScores).filter { $0 >= PaperMarkRules.marked && $1 >= PaperMarkRules.marked }.count
        return markedInBoth < marksToTellApart
    }
}
