import Foundation

/// A rectangle on the printed page, in millimetres from the page's top-left corner.
public struct PageRect: Hashable, Sendable, Codable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var centerX: Double { x + width / 2 }
    public var centerY: Double { y + height / 2 }

    public func insetBy(_ d: Double) -> PageRect { PageRect(x: x + d, y: y + d, width: width - 2 * d, height: height - 2 * d) }
}

/// 评议表的版面: one printed page of one form (A4 landscape), the same geometry for the printer (the SVG the browser
/// prints) and for the reader (where to look in a scan). Four corner marks fix the page; a row of squares carries the
/// page code; each secretary's row has four boxes (好 较好 一般 差) per column of the form.
public struct PaperPageGeometry: Hashable, Sendable {
    public static let pageWidth = 297.0
    public static let pageHeight = 210.0
    /// At most this many secretaries on one page; more go on the next page of the same form.
    public static let rowsPerPage = 12
    public static let cornerSize = 7.0
    /// Corner mark centres: top-left, top-right, bottom-right, bottom-left.
    public static let cornerCenters: [(x: Double, y: Double)] = [(14, 14), (283, 14), (283, 196), (14, 196)]
    public static let codeBitSize = 3.0
    public static let codeBitPitch = 4.0
    public static let codeTop = 10.5
    public static let tableTop = 44.0
    public static let headerHeight = 13.0
    public static let rowHeight = 11.0
    public static let numberLeft = 12.0
    public static let nameLeft = 20.0
    public static let boxesLeft = 74.0
    public static let boxesRight = 283.0
    public static let columnGap = 1.6
    /// The smallest box a pen circle fits in; a form with too many columns for this is refused before printing.
    public static let minimumBox = 5.0

    public let rows: Int
    public let columns: Int
    public let pitch: Double
    public let boxSize: Double

    /// `nil` when the columns do not fit with boxes of at least `minimumBox` millimetres.
    public init?(rows: Int, columns: Int) {
        guard (1...Self.rowsPerPage).contains(rows), columns >= 1 else { return nil }
        let width = Self.boxesRight - Self.boxesLeft - Double(columns - 1) * Self.columnGap
        let pitch = min(9.0, width / Double(columns * 4))
        let box = min(6.5, pitch - 1.8)
        guard box >= Self.minimumBox else { return nil }
        self.rows = rows
        self.columns = columns
        self.pitch = pitch
        self.boxSize = box
    }

    public static func corner(_ index: Int) -> PageRect {
        let c = cornerCenters[index]
        return PageRect(x: c.x - cornerSize / 2, y: c.y - cornerSize / 2, width: cornerSize, height: cornerSize)
    }

    public static func codeBit(_ index: Int) -> PageRect {
        let left = (pageWidth - Double(PaperPageCode.bitCount) * codeBitPitch) / 2 + (codeBitPitch - codeBitSize) / 2
        return PageRect(x: left + Double(index) * codeBitPitch, y: codeTop, width: codeBitSize, height: codeBitSize)
    }

    /// Blank paper just under the code, for the reader's white reference.
    public static var codeWhiteBand: PageRect {
        let first = codeBit(0), last = codeBit(PaperPageCode.bitCount - 1)
        return PageRect(x: first.x, y: codeTop + codeBitSize + 1.2, width: last.x + last.width - first.x, height: 1.6)
    }

    public func rowTop(_ row: Int) -> Double { Self.tableTop + Self.headerHeight + Double(row) * Self.rowHeight }

    /// The left edge of a column's four boxes.
    public func columnLeft(_ column: Int) -> Double { Self.boxesLeft + Double(column) * (4 * pitch + Self.columnGap) }

    public func box(row: Int, column: Int, grade: Int) -> PageRect {
        PageRect(x: columnLeft(column) + Double(grade) * pitch + (pitch - boxSize) / 2,
                 y: rowTop(row) + (Self.rowHeight - boxSize) / 2, width: boxSize, height: boxSize)
    }
}

/// 页码: what a printed page is — campaign, round, rater group, form and page — as 48 squares, never a per-sheet
/// number (all sheets of one group, form and page are identical). 38 data bits and a 10-bit check.
public struct PaperPageCode: Hashable, Sendable, Codable {
    public static let bitCount = 48
    /// 20 bits of the campaign's id: enough to tell another campaign's sheet, not an identity.
    public var campaignTag: UInt32
    /// The round's number (1–31).
    public var round: Int
    /// Index of the rater group in the round's paper plan (0–63).
    public var group: Int
    /// Index of the form in the round's layout (0–7).
    public var form: Int
    /// Page of that form (0–15).
    public var page: Int

    public init(campaignTag: UInt32, round: Int, group: Int, form: Int, page: Int) {
        self.campaignTag = campaignTag & 0xFFFFF
        self.round = round
        self.group = group
        self.form = form
        self.page = page
    }

    public static func campaignTag(_ campaignID: String) -> UInt32 {
        UInt32(truncatingIfNeeded: fnv1a(Array(campaignID.lowercased().utf8)) & 0xFFFFF)
    }

    public var fits: Bool { (1...31).contains(round) && (0..<64).contains(group) && (0..<8).contains(form) && (0..<16).contains(page) }

    var data: UInt64 {
        UInt64(campaignTag) << 18 | UInt64(round & 31) << 13 | UInt64(group & 63) << 7 | UInt64(form & 7) << 4 | UInt64(page & 15)
    }

    static func check(_ data: UInt64) -> UInt64 {
        let bytes = (0..<5).map { UInt8(truncatingIfNeeded: data >> (8 * UInt64($0))) }
        let h = fnv1a(bytes)
        return (h ^ (h >> 10) ^ (h >> 20) ^ (h >> 30)) & 0x3FF
    }

    /// Most significant first: a printed square is a 1.
    public var bits: [Bool] {
        let word = data << 10 | Self.check(data)
        return (0..<Self.bitCount).map { word >> UInt64(Self.bitCount - 1 - $0) & 1 == 1 }
    }

    /// `nil` unless the check bits agree.
    public init?(bits: [Bool]) {
        guard bits.count == Self.bitCount else { return nil }
        let word = bits.reduce(UInt64(0)) { $0 << 1 | ($1 ? 1 : 0) }
        let data = word >> 10
        guard Self.check(data) == word & 0x3FF else { return nil }
        self.init(campaignTag: UInt32(data >> 18), round: Int(data >> 13 & 31), group: Int(data >> 7 & 63),
                  form: Int(data >> 4 & 7), page: Int(data & 15))
    }

    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}

/// The pages a round prints for one form: its secretaries in layout order, `rowsPerPage` to a page, and where each
/// box's column sits in the round's mark string.
public struct PaperFormPages: Sendable, Hashable {
    public var formIndex: Int
    public var form: FormTemplate
    /// Secretaries (reportee ids) page by page.
    public var pages: [[String]]

    /// The forms of a round in layout order, each split into pages.
    public static func plan(layout: BallotLayout, forms: [FormTemplate]) -> [PaperFormPages] {
        var reportees: [String] = []
        var formIDs: [String] = []
        for cell in layout.cells {
            if !reportees.contains(cell.reportee) { reportees.append(cell.reportee) }
            if !formIDs.contains(cell.form) { formIDs.append(cell.form) }
        }
        let byID = Dictionary(forms.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return formIDs.enumerated().compactMap { index, id in
            guard let form = byID[id] else { return nil }
            let pages = stride(from: 0, to: reportees.count, by: PaperPageGeometry.rowsPerPage).map {
                Array(reportees[$0..<min($0 + PaperPageGeometry.rowsPerPage, reportees.count)])
            }
            return PaperFormPages(formIndex: index, form: form, pages: pages)
        }
    }

    public func geometry(page: Int) -> PaperPageGeometry? {
        guard pages.indices.contains(page) else { return nil }
        return PaperPageGeometry(rows: pages[page].count, columns: form.columns.count)
    }

    /// The mark string of a whole round's ballot for one page: the page's symbols (row by row, column by column) in
    /// their cells, `-` (not on this sheet) everywhere else.
    public func ballotMarks(page: Int, symbols: [UInt8], layout: BallotLayout) -> String? {
        guard pages.indices.contains(page), symbols.count == pages[page].count * form.columns.count else { return nil }
        var position: [CellKey: Int] = [:]
        for (row, reportee) in pages[page].enumerated() {
            for (column, c) in form.columns.enumerated() {
                position[CellKey(reportee: reportee, form: form.id, column: c.id)] = row * form.columns.count + column
            }
        }
        var out = [UInt8](repeating: BallotLayout.notOnSheet, count: layout.cells.count)
        var filled = 0
        for (index, cell) in layout.cells.enumerated() {
            if let p = position[cell] { out[index] = symbols[p]; filled += 1 }
        }
        guard filled == symbols.count else { return nil }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Why a page that read correctly does not belong where it was uploaded.
public enum PaperPageProblem: Error, Hashable, Sendable {
    case otherCampaign
    case otherRound(Int)
    case unknownGroup
    case unknownFormPage

    public var message: String {
        switch self {
        case .otherCampaign: "这张表不属于本次评议活动，没有保存"
        case .otherRound(let n): "这是第 \(n) 轮的评议表，不是本轮的，没有保存"
        case .unknownGroup: "这张表的评议人类别本轮没有发放纸质票，没有保存"
        case .unknownFormPage: "这张表的评议表或页码与本轮不符，没有保存"
        }
    }
}

extension PaperPageCode {
    /// Checks a read code against the round it was uploaded to.
    public func problem(campaignTag: UInt32, round: Int, groups: Int, forms: [PaperFormPages]) -> PaperPageProblem? {
        if self.campaignTag != campaignTag & 0xFFFFF { return .otherCampaign }
        if self.round != round { return .otherRound(self.round) }
        if group >= groups { return .unknownGroup }
        guard let plan = forms.first(where: { $0.formIndex == form }), plan.pages.indices.contains(page) else { return .unknownFormPage }
        return nil
    }
}
