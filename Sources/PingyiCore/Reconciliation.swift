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
    public var returned: Int { valid + void }
    /// Issued but not returned (not a fault: an attendee may not vote).
    public var unreturned: Int { max(issued - returned, 0) }
    /// More ballots came back than were issued, overall or on either medium (unused codes must not hide extra paper):
    /// the round is void and must be repeated (收回票数多于发出票数，本轮无效).
    public var isVoid: Bool { returned > issued || (codes?.isOver ?? false) || (sheets?.isOver ?? false) }

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
