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
