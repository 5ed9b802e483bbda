import Foundation

/// 最少人数: no shown figure may rest on fewer ballots than the campaign's minimum (default 3, as 360-degree
/// feedback tools do), since a group of one is one person's ballot. The rule holds **per cell**: a paper voter who
/// returns one form's sheet reaches that form's cells only, so a group's ballots differ from cell to cell and no
/// single number per group can stand for them.
///
/// A rater group is *thin* when some cell holds more than 0 and fewer than the minimum of its ballots. Thin groups
/// are pooled into one shown group; while the pool still has a thin cell it takes in the smallest other group that
/// reaches such a cell (fewest ballots in its fullest cell; on a tie, the one first in the campaign's order). A cell
/// the whole round still holds fewer than the minimum ballots in is withheld (nothing of it is shown); a round in
/// which every cell with a ballot is withheld shows nothing (`withheld`). Every shown figure (counts, rates,
/// weighted scores, charts) is then a function of shown groups alone, each of which rests in every cell on no
/// ballot or on at least the minimum, so no subtraction recovers a small group.
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
    /// Cells that even all groups together reach with fewer ballots than the minimum: shown empty.
    public var withheldCells: Set<CellKey>
    /// The round holds ballots but every cell they reach is withheld: no figure at all.
    public var withheld: Bool

    /// Pools by the ballots each group has in each cell of the tally. `order` is the campaign's group order (ids);
    /// groups without ballots stay as they are (they show zeros).
    public init(tally: Tally, order: [String], minimum: Int) {
        let cells = tally.counts.keys.sorted()
        var coverage: [String: [Int]] = [:]
        for (index, cell) in cells.enumerated() {
            for (group, counts) in tally.counts(cell) where counts.total > 0 {
                coverage[group, default: [Int](repeating: 0, count: cells.count)][index] = counts.total
            }
        }
        self.init(coverage: coverage, cellCount: cells.count, order: order, minimum: minimum)
        withheldCells = Set(withheldIndices.map { cells[$0] })
    }

    /// Pools whole ballots: each group's ballots reach every cell (phone ballots, whole paper sets).
    public init(ballotsByGroup: [String: Int], order: [String], minimum: Int) {
        self.init(coverage: ballotsByGroup.mapValues { [$0] }, cellCount: 1, order: order, minimum: minimum)
    }

    private var withheldIndices: [Int] = []

    /// `coverage[group][cell]`: the ballots of the group that reach the cell.
    private init(coverage: [String: [Int]], cellCount: Int, order: [String], minimum: Int) {
        self.minimum = minimum
        let zeros = [Int](repeating: 0, count: cellCount)
        let reach = { (id: String) in coverage[id] ?? zeros }
        let all = order + coverage.keys.filter { !order.contains($0) }.sorted()
        let thinCells = { (v: [Int]) in v.indices.filter { v[$0] > 0 && v[$0] < minimum } }
        var pool = all.filter { !thinCells(reach($0)).isEmpty }
        var others = all.filter { !pool.contains($0) }
        var sum = pool.reduce(zeros) { total, id in zip(total, reach(id)).map(+) }
        while !pool.isEmpty {
            let thin = thinCells(sum)
            guard !thin.isEmpty else { break }
            let candidates = others.enumerated().filter { _, id in thin.contains { reach(id)[$0] > 0 } }
            guard let pick = candidates.min(by: { (reach($0.element).max() ?? 0, $0.offset) < (reach($1.element).max() ?? 0, $1.offset) })?.element
            else { break }
            pool.append(pick)
            others.removeAll { $0 == pick }
            sum = zip(sum, reach(pick)).map(+)
        }
        // No other group reaches a cell still thin, so the pool's count there is the whole round's.
        let withheldIndices = pool.isEmpty ? [] : thinCells(sum)
        let reached = all.reduce(zeros) { total, id in zip(total, reach(id)).map(+) }
        self.withheldIndices = withheldIndices
        withheld = reached.contains { $0 > 0 } && reached.indices.allSatisfy { reached[$0] == 0 || withheldIndices.contains($0) }
        withheldCells = []
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

    /// The tally with pooled groups' counts added together under their shown key and withheld cells left out;
    /// empty when withheld.
    public func apply(to tally: Tally) -> Tally {
        guard !withheld else { return Tally() }
        var counts: [CellKey: [String: GradeCounts]] = [:]
        for (cell, byGroup) in tally.counts where !withheldCells.contains(cell) {
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
