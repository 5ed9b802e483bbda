import Foundation

/// 纸质票的录入检查: a teller's keying of one sheet, checked against the round's layout before it may count.
public enum PaperMarksError: Error, Hashable, Sendable {
    case wrongLength(expected: Int, got: Int)
    case badSymbol

    public var message: String {
        switch self {
        case .wrongLength(let expected, let got): "应录入 \(expected) 个栏目，实际 \(got) 个"
        case .badSymbol: "只能录入 0（空白）、1（好）、2（较好）、3（一般）、4（差）、X（多选）"
        }
    }
}

extension BallotLayout {
    /// The keyed marks in the stored form: upper case, one symbol per cell (0–4, X). An unreadable sheet has none.
    public func paperMarks(_ keyed: String, unreadable: Bool) throws(PaperMarksError) -> String {
        if unreadable { return "" }
        let marks = keyed.uppercased()
        guard marks.utf8.count == cells.count else { throw .wrongLength(expected: cells.count, got: marks.utf8.count) }
        guard marks.utf8.allSatisfy({ Self.outcome($0) != nil }) else { throw .badSymbol }
        return marks
    }
}
