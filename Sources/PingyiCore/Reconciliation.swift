import Foundation

/// 票数核对 of a ballot round at close: codes and sheets issued against ballots returned.
public struct RoundReconciliation: Codable, Sendable, Hashable {
    public var issued: Int
    public var valid: Int
    public var void: Int
    public var returned: Int { valid + void }
    /// Issued but not returned (not a fault: an attendee may not vote).
    public var unreturned: Int { max(issued - returned, 0) }
    /// More ballots came back than were issued: the round is void and must be repeated (收回票数多于发出票数，本轮无效).
    public var isVoid: Bool { returned > issued }

    public init(issued: Int, valid: Int, void: Int) {
        self.issued = issued
        self.valid = valid
        self.void = void
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
        let head = "发出 \(issued) 张，收回 \(returned) 张（有效 \(valid)，无效 \(void)）"
        return isVoid ? head + "；收回票数多于发出票数，本轮评议无效，须重新投票" : head
    }
}
