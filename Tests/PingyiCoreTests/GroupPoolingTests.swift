import Foundation
import PingyiCore
import Testing

@Suite("最少人数: small rater groups are pooled")
struct GroupPoolingTests {
    @Test func aGroupOfOneJoinsTheSmallestGroupLargeEnough() {
        let pooling = RaterGroupPooling(ballotsByGroup: ["a": 6, "b": 1, "c": 4], order: ["a", "b", "c", "d"], minimum: 3)
        #expect(!pooling.withheld)
        #expect(pooling.shown.map(\.members) == [["a"], ["b", "c"], ["d"]])
        #expect(pooling.weights(["a": 0.3, "b": 0.3, "c": 0.2, "d": 0.2]) == ["a": 0.3, "b+c": 0.5, "d": 0.2])
    }

    @Test func smallGroupsTogetherLargeEnoughStayApartFromTheRest() {
        let pooling = RaterGroupPooling(ballotsByGroup: ["a": 6, "b": 2, "c": 2], order: ["a", "b", "c"], minimum: 3)
        #expect(pooling.shown.map(\.key) == ["a", "b+c"])
    }

    @Test func aRoundSmallerThanTheMinimumShowsNothing() {
        let pooling = RaterGroupPooling(ballotsByGroup: ["a": 1, "b": 1], order: ["a", "b"], minimum: 3)
        #expect(pooling.withheld)
        var tally = Tally(counts: [CellKey(reportee: "r", form: "f", column: "overall"): ["a": GradeCounts(good: 1), "b": GradeCounts(poor: 1)]],
                          ballotsByGroup: ["a": 1, "b": 1])
        tally = pooling.apply(to: tally)
        #expect(tally.ballots == 0 && tally.counts.isEmpty)
    }

    @Test func pooledCountsAddUpAndAMinimumOfOneChangesNothing() {
        let cell = CellKey(reportee: "r", form: "f", column: "overall")
        let tally = Tally(counts: [cell: ["a": GradeCounts(good: 5), "b": GradeCounts(poor: 1)]], ballotsByGroup: ["a": 5, "b": 1])
        let pooled = RaterGroupPooling(ballotsByGroup: tally.ballotsByGroup, order: ["a", "b"], minimum: 3).apply(to: tally)
        #expect(pooled.counts(cell) == ["a+b": GradeCounts(good: 5, poor: 1)])
        let none = RaterGroupPooling(ballotsByGroup: tally.ballotsByGroup, order: ["a", "b"], minimum: 1)
        #expect(none.apply(to: tally) == tally)
    }

    /// Whatever the sizes, every shown group with ballots has at least the minimum, and no ballot is lost.
    @Test(arguments: 0..<200)
    func everyShownGroupIsLargeEnough(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed))
        let order = (0..<Int(rng.next() % 5 + 1)).map { "g\($0)" }
        var sizes: [String: Int] = [:]
        for id in order { sizes[id] = Int(rng.next() % 6) }
        let minimum = Int(rng.next() % 4 + 1)
        let pooling = RaterGroupPooling(ballotsByGroup: sizes, order: order, minimum: minimum)
        let total = sizes.values.reduce(0, +)
        #expect(Set(pooling.shown.flatMap(\.members)) == Set(order))
        if total >= minimum || total == 0 {
            #expect(!pooling.withheld)
            for group in pooling.shown {
                let n = group.members.reduce(0) { $0 + sizes[$1]! }
                #expect(n == 0 || n >= minimum, "\(sizes) min \(minimum): \(group.members) has \(n)")
            }
        } else {
            #expect(pooling.withheld)
        }
    }
}

/// Issue 22: the rule holds per cell, whatever part of the ballot each group's ballots reach.
@Suite("最少人数 per cell")
struct PerCellPoolingTests {
    static let cells = (0..<3).map { CellKey(reportee: "r", form: "f\($0)", column: "overall") }

    /// `reach[group]`: ballots of the group in each of the three cells.
    func tally(_ reach: [String: [Int]]) -> Tally {
        var counts: [CellKey: [String: GradeCounts]] = [:]
        for (group, vector) in reach {
            for (cell, n) in zip(Self.cells, vector) where n > 0 { counts[cell, default: [:]][group] = GradeCounts(poor: n) }
        }
        return Tally(counts: counts, ballotsByGroup: reach.mapValues { $0.min() ?? 0 })
    }

    /// One paper voter with only the first form's sheet: the group's thinnest cell is 0, yet its first cell is one
    /// person's marks. It is pooled with the group that reaches that cell.
    @Test func oneSheetOfOneFormIsPooled() {
        let t = tally(["a": [1, 0, 0], "b": [4, 4, 4], "c": [5, 5, 5]])
        let pooling = RaterGroupPooling(tally: t, order: ["a", "b", "c"], minimum: 3)
        #expect(!pooling.withheld && pooling.withheldCells.isEmpty)
        #expect(pooling.shown.map(\.members) == [["a", "b"], ["c"]])
        #expect(pooling.apply(to: t).counts(Self.cells[0]) == ["a+b": GradeCounts(poor: 5), "c": GradeCounts(poor: 5)])
    }

    /// A round whose only ballot is one sheet shows nothing; a cell only thin voters reach is left out.
    @Test func aCellTheWholeRoundReachesTooThinlyIsWithheld() {
        let lone = RaterGroupPooling(tally: tally(["a": [1, 0, 0]]), order: ["a", "b"], minimum: 3)
        #expect(lone.withheld && lone.apply(to: tally(["a": [1, 0, 0]])).counts.isEmpty)
        let t = tally(["a": [1, 0, 0], "b": [0, 4, 4]])
        let pooling = RaterGroupPooling(tally: t, order: ["a", "b"], minimum: 3)
        #expect(!pooling.withheld && pooling.withheldCells == [Self.cells[0]])
        #expect(pooling.apply(to: t).counts(Self.cells[0]).isEmpty)
    }

    /// "The smallest other group": fewest ballots in its fullest cell; a tie goes to the group first in campaign order.
    @Test func aTieForTheSmallestOtherGroupGoesToTheFirstInOrder() {
        let t = tally(["a": [1, 1, 1], "b": [4, 4, 4], "c": [4, 4, 4]])
        #expect(RaterGroupPooling(tally: t, order: ["c", "b", "a"], minimum: 3).shown.map(\.key) == ["c+a", "b"])
        #expect(RaterGroupPooling(tally: t, order: ["b", "c", "a"], minimum: 3).shown.map(\.key) == ["b+a", "c"])
    }

    /// Whatever each group reaches, every shown group rests in every shown cell on 0 or at least the minimum, and a
    /// withheld cell is one the whole round reaches with fewer.
    @Test(arguments: 0..<300)
    func everyShownCellIsLargeEnough(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed))
        let order = (0..<Int(rng.next() % 4 + 1)).map { "g\($0)" }
        var reach: [String: [Int]] = [:]
        for id in order { reach[id] = (0..<3).map { _ in Int(rng.next() % 5) } }
        let minimum = Int(rng.next() % 4 + 1)
        let t = tally(reach)
        let pooling = RaterGroupPooling(tally: t, order: order, minimum: minimum)
        #expect(Set(pooling.shown.flatMap(\.members)) == Set(order))
        let shown = pooling.apply(to: t)
        for (index, cell) in Self.cells.enumerated() {
            let round = order.reduce(0) { $0 + reach[$1]![index] }
            if pooling.withheld || pooling.withheldCells.contains(cell) {
                #expect(shown.counts(cell).isEmpty)
                #expect(pooling.withheld || (round > 0 && round < minimum))
            } else {
                for (key, counts) in shown.counts(cell) {
                    #expect(counts.total == 0 || counts.total >= minimum, "\(reach) min \(minimum): \(key) in \(index)")
                }
                #expect(shown.pooled(cell).total == round)
            }
        }
    }
}
