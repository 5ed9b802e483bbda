import Foundation

/// 最少人数: no figure may be computed over fewer ballots than the campaign's minimum (default 3, as 360-degree
/// feedback tools do), since a group of one is one person's ballot. Rater groups whose ballots in the round are
/// fewer than the minimum are pooled into one shown group; if that pool is still too small it takes in the smallest
/// other group; if the whole round is too small nothing is shown. Every shown figure (counts, rates, weighted
/// scores, charts) is then a function of shown groups alone, so no subtraction recovers a small group.
public struct RaterGroupPooling: Sendable, Hashable {
    public static let defaultMinimum = 3

    /// A group as results show it: one rater group, or several pooled (key: their ids joined by "+").
    public struct ShownGroup: Sendable, Hashable {
        public var key: String
        public var members: [String]
        public var isPooled: Bool { members.count > 1 }
    }

    public var minimum: Int
    public var shown: [ShownGroup]
    /// The round holds fewer ballots than the minimum: no figure at all.
    public var withheld: Bool

    /// `order` is the campaign's group order (ids); groups without ballots stay as they are (they show zeros).
    public init(ballotsByGroup: [String: Int], order: [String], minimum: Int) {
        self.minimum = minimum
        let size = { (id: String) in ballotsByGroup[id, default: 0] }
        let all = order + ballotsByGroup.keys.filter { !order.contains($0) }.sorted()
        let total = all.reduce(0) { $0 + size($1) }
        withheld = total > 0 && total < minimum
        var pool = all.filter { size($0) > 0 && size($0) < minimum }
        var big = all.filter { size($0) >= minimum }
        if !pool.isEmpty, pool.reduce(0, { $0 + size($1) }) < minimum,
           let smallest = big.enumerated().min(by: { (size($0.element), $0.offset) < (size($1.element), $1.offset) })?.element {
            pool.append(smallest)
            big.removeAll { $0 == smallest }
        }
        pool.sort { all.firstIndex(of: $0)! < all.firstIndex(of: $1)! }
        var shown: [ShownGroup] = []
        for id in all {
            if pool.first == id { shown.append(ShownGroup(key: pool.count > 1 ? pool.joined(separator: "+") : id, members: pool)) }
            else if !pool.contains(id) { shown.append(ShownGroup(key: id, members: [id])) }
        }
        self.shown = shown
    }

    /// The shown group a rater group's ballots count in.
    public func shownKey(of group: String) -> String {
        shown.first { $0.members.contains(group) }?.key ?? group
    }

    /// The tally with pooled groups' counts added together under their shown key; empty when withheld.
    public func apply(to tally: Tally) -> Tally {
        guard !withheld else { return Tally() }
        var counts: [CellKey: [String: GradeCounts]] = [:]
        for (cell, byGroup) in tally.counts {
            var merged: [String: GradeCounts] = [:]
            for (group, c) in byGroup { merged[shownKey(of: group), default: .zero] = merged[shownKey(of: group), default: .zero] + c }
            counts[cell] = merged
        }
        var ballots: [String: Int] = [:]
        for (group, n) in tally.ballotsByGroup { ballots[shownKey(of: group), default: 0] += n }
        return Tally(counts: counts, ballotsByGroup: ballots)
    }

    /// Rater-group weights for the shown groups: a pooled group weighs what its members weighed together.
    public func weights(_ weights: [String: Double]) -> [String: Double] {
        guard !weights.isEmpty else { return [:] }
        var result: [String: Double] = [:]
        for group in shown { result[group.key] = group.members.reduce(0) { $0 + (weights[$1] ?? 0) } }
        return result
    }
}
