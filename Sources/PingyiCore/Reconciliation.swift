import Foundation

/// 票数核对 of a ballot round at close: codes and sheets issued against ballots returned.
public struct RoundReconciliation: Codable, Sendable, Hashable {
    public var issued: Int
    public var valid: Int
    public var void: Int
    /// Phone codes issued and phone ballots returned; `nil` in rounds counted before the split was recorded.
    public var codes: IssuedReturned?
    /// Paper sheets issued and paper sheets returned (keyed ballots, unreadable ones and extra sheets alike).
    public var sheets: IssuedReturned?
    /// Paper per form kind: sheets of each form issued and returned; `nil` in rounds counted before forms were split.
    public var forms: [FormSheets]?
    /// The scrutineer's sample of scanned pages, when pages were scanned.
    public var scanSample: ScanSample?
    public var returned: Int { valid + void }
    /// Issued but not returned (not a fault: an attendee may not vote).
    public var unreturned: Int { max(issued - returned, 0) }
    /// More ballots came back than were issued, overall or on either medium (unused codes must not hide extra paper):
    /// the round is void and must be repeated (收回票数多于发出票数，本轮无效).
    public var isVoid: Bool {
        returned > issued || (codes?.isOver ?? false) || (sheets?.isOver ?? false) || (forms ?? []).contains(where: \.isOver)
    }

    public init(issued: Int, valid: Int, void: Int) {
        self.issued = issued
        self.valid = valid
        self.void = void
    }

    /// Each medium reconciled against its own issue: phone ballots against codes, paper against sheets.
    public init(codes: IssuedReturned, sheets: IssuedReturned, valid: Int, void: Int) {
        self.init(issued: codes.issued + sheets.issued, valid: valid, void: void)
        self.codes = codes
        self.sheets = sheets
    }

    /// Reconciles a round from its ballots; a wholly void sheet counts as returned and void.
    public init(issued: Int, ballots: some Sequence<CastBallot>) {
        var valid = 0
        var void = 0
        for ballot in ballots {
            if ballot.isVoid { void += 1 } else { valid += 1 }
        }
        self.init(issued: issued, valid: valid, void: void)
    }

    public var summary: String {
        if let sheets, sheets.isOver {
            return "发出 \(issued) 张，收回 \(returned) 张（有效 \(valid)，无效 \(void)）；纸质票发出 \(sheets.issued) 份、收回 \(sheets.returned) 份，"
                + "收回票数多于发出票数，本轮评议无效，须重新投票"
        }
        if let over = forms?.first(where: \.isOver) {
            return "发出 \(issued) 张，收回 \(returned) 张（有效 \(valid)，无效 \(void)）；\(over.formName)评议表发出 \(over.issued) 张、收回 \(over.returned) 张，"
                + "收回票数多于发出票数，本轮评议无效，须重新投票"
        }
        let head = "发出 \(issued) 张，收回 \(returned) 张（有效 \(valid)，无效 \(void)）"
        return isVoid ? head + "；收回票数多于发出票数，本轮评议无效，须重新投票" : head
    }
}

/// How many of one kind of ballot were issued and how many came back.
public struct IssuedReturned: Codable, Sendable, Hashable {
    public var issued: Int
    public var returned: Int
    public var isOver: Bool { returned > issued }

    public init(issued: Int, returned: Int) {
        self.issued = issued
        self.returned = returned
    }
}

/// Sheets of one form kind issued and returned (paper sheets carry one form each).
public struct FormSheets: Codable, Sendable, Hashable {
    public var formID: String
    public var formName: String
    public var issued: Int
    public var returned: Int
    /// Of those returned, sheets keyed 整张无法辨认 (void in this form's cells); `nil` in rounds counted before.
    public var void: Int?
    public var isOver: Bool { returned > issued }

    public init(formID: String, formName: String, issued: Int, returned: Int, void: Int? = nil) {
        self.formID = formID
        self.formName = formName
        self.issued = issued
        self.returned = returned
        self.void = void
    }
}

/// 抽查: the scrutineer's random sample of machine-read pages, checked against the paper.
public struct ScanSample: Codable, Sendable, Hashable {
    public var pages: Int
    public var drawn: Int
    public var checked: Int
    public var corrected: Int
    /// Pages dropped (second scans, pages not of this box): not among `pages`, never counted; `nil` when none.
    public var discarded: Int?

    public init(pages: Int, drawn: Int, checked: Int, corrected: Int, discarded: Int? = nil) {
        self.pages = pages
        self.drawn = drawn
        self.checked = checked
        self.corrected = corrected
        self.discarded = discarded.flatMap { $0 > 0 ? $0 : nil }
    }

    /// What the count report says: only what was done — no agreement is claimed for pages not yet checked.
    public var summary: String {
        let head = "扫描识别 \(pages) 页" + (discarded.map { "（另剔除重复扫描等 \($0) 页，不计票）" } ?? "")
        if drawn == 0 { return head + "，监票人尚未抽查" }
        if checked == 0 { return head + "，监票人随机抽查 \(drawn) 页，尚未核对" }
        let open = checked < drawn ? "，还有 \(drawn - checked) 页未核对" : ""
        let outcome = corrected == 0 ? (checked < drawn ? "已核对的页与纸质票一致" : "全部与纸质票一致") : "\(corrected) 页不一致，已按纸质票更正"
        return head + "，监票人随机抽查 \(drawn) 页，核对 \(checked) 页\(open)；" + outcome
    }
}
