import Testing
@testable import PingyiCore

@Suite("Tally")
struct TallyTests {
    @Test func countsEachGradeAbstentionAndVoidPerColumn() {
        // setup: five ballots on r1's party-building overall column: 好, 好, 较好, 差, abstain; plus one void sheet
        let k = Fixture.key("r1")
        let ballots = [
            Fixture.ballot("g1", [k: .good]), Fixture.ballot("g1", [k: .good]), Fixture.ballot("g2", [k: .fairlyGood]),
            Fixture.ballot("g2", [k: .poor]), Fixture.ballot("g2", [:]), CastBallot.void(raterGroup: "g1"),
        ]
        // call
        let tally = Tally(ballots: ballots, spec: Fixture.spec)
        let pooled = tally.pooled(k)
        // check
        #expect(pooled == GradeCounts(good: 2, fairlyGood: 1, average: 0, poor: 1, abstentions: 1, voids: 1))
        #expect(pooled.valid == 4)
        #expect(pooled.total == 6)
        #expect(pooled.goodRate == 0.75)
        #expect(pooled.poorRate == 0.25)
        #expect(pooled.lowRate == 0.25)
        #expect(pooled.meanPoints(.standard) == 80) // (100+100+80+40)/4
        #expect(tally.counts(k)["g1"] == GradeCounts(good: 2, voids: 1))
        #expect(tally.counts(k)["g2"] == GradeCounts(fairlyGood: 1, poor: 1, abstentions: 1))
        #expect(tally.ballots == 6)
        #expect(tally.ballotsByGroup == ["g1": 3, "g2": 3])
    }

    @Test func aColumnWithoutValidVotesHasNoRatesAndNoMean() {
        let counts = GradeCounts(abstentions: 3, voids: 1)
        #expect(counts.goodRate == nil)
        #expect(counts.poorRate == nil)
        #expect(counts.meanPoints(.standard) == nil)
    }

    @Test func meanUsesConfiguredPoints() {
        let counts = GradeCounts(good: 1, fairlyGood: 1, average: 1, poor: 1)
        #expect(counts.meanPoints(GradePoints(good: 10, fairlyGood: 8, average: 5, poor: 1)) == 6)
    }

    @Test func tallyFromCountsEqualsTallyFromBallots() {
        let ballots = [Fixture.uniform(.good, group: "a"), Fixture.uniform(.poor, group: "b"), Fixture.uniform(.good, group: "a")]
        let counted = Tally(ballots: ballots, spec: Fixture.spec)
        let rebuilt = Tally(counts: counted.counts, ballotsByGroup: counted.ballotsByGroup)
        #expect(rebuilt == counted)
    }

    @Test func countsAddUp() {
        let a = GradeCounts(good: 1, fairlyGood: 2, average: 3, poor: 4, abstentions: 5, voids: 6)
        #expect(a + a == GradeCounts(good: 2, fairlyGood: 4, average: 6, poor: 8, abstentions: 10, voids: 12))
        #expect(a + .zero == a)
    }
}

@Suite("Weighting and composite")
struct WeightingTests {
    let k = Fixture.key("r1")

    @Test func withoutGroupWeightsEveryVoteCountsTheSame() {
        let ballots = [Fixture.ballot("a", [k: .good]), Fixture.ballot("b", [k: .average]), Fixture.ballot("b", [k: .average])]
        let column = Fixture.results(ballots)[0].forms[0].overall!
        #expect(approx(column.weightedPoints, (100 + 60 + 60) / 3.0))
        #expect(approx(column.weightedGoodRate, 1.0 / 3))
    }

    @Test func groupWeightsCombineGroupMeans() {
        // a: one 好 (100), b: two 一般 (60); weights a 0.3, b 0.7 → 0.3×100 + 0.7×60 = 72
        let ballots = [Fixture.ballot("a", [k: .good]), Fixture.ballot("b", [k: .average]), Fixture.ballot("b", [k: .average])]
        let rules = EvaluationRules(raterGroupWeights: ["a": 0.3, "b": 0.7])
        let column = Fixture.results(ballots, rules: rules)[0].forms[0].overall!
        #expect(approx(column.weightedPoints, 72))
        #expect(approx(column.weightedGoodRate, 0.3))
        #expect(approx(column.meanPoints, 220.0 / 3)) // pooled mean stays unweighted
    }

    @Test func aGroupWithoutValidVotesHasItsWeightSharedOutProportionally() {
        // a 0.3 (100), b 0.3 (80), c 0.4 cast nothing → (0.3×100 + 0.3×80) / 0.6 = 90
        let ballots = [Fixture.ballot("a", [k: .good]), Fixture.ballot("b", [k: .fairlyGood])]
        let rules = EvaluationRules(raterGroupWeights: ["a": 0.3, "b": 0.3, "c": 0.4])
        #expect(approx(Fixture.results(ballots, rules: rules)[0].forms[0].score, 90))
    }

    @Test func aGroupThatOnlyAbstainedIsTreatedLikeAnAbsentGroup() {
        let ballots = [Fixture.ballot("a", [k: .good]), Fixture.ballot("b", [k: .poor]), Fixture.ballot("c", [:])]
        let rules = EvaluationRules(raterGroupWeights: ["a": 1, "b": 1, "c": 2])
        #expect(approx(Fixture.results(ballots, rules: rules)[0].forms[0].score, 70))
    }

    @Test func formScoreIsTheOverallColumnAndCompositeWeighsForms() {
        // party_building overall 好 (100), integrity overall 一般 (60), ideology overall 差 (40); items ignored for the score
        let marks: [CellKey: Grade] = [
            Fixture.key("r1", "party_building"): .good, Fixture.key("r1", "integrity"): .average,
            Fixture.key("r1", "ideology"): .poor, Fixture.key("r1", "party_building", "item1"): .poor,
        ]
        let equal = Fixture.results([Fixture.ballot("g", marks)])[0]
        #expect(equal.forms.map(\.score) == [100, 60, 40])
        #expect(approx(equal.composite, 200.0 / 3))
        let weighted = Fixture.results([Fixture.ballot("g", marks)], rules: EvaluationRules(
            formWeights: ["party_building": 0.5, "integrity": 0.3, "ideology": 0.2]))[0]
        #expect(approx(weighted.composite, 0.5 * 100 + 0.3 * 60 + 0.2 * 40))
        // 好评率 counts votes (1 of 3 overall votes is 好); the form-weighted figure is a separate one
        #expect(approx(weighted.goodRate, 1.0 / 3))
        #expect(approx(weighted.weightedGoodRate, 0.5))
    }

    /// Issue 15: one 区领导 (0.3) votes all 好, one 党代表 (0.4) all 差. 好评率 is one figure, (好+较好)/valid, at the
    /// column, the form and the secretary; the group-weighted rate is 加权好评率 and never goes by the other's name.
    @Test func goodRateIsThePlainRatioAtEveryLevelAndTheWeightedRateIsNamedApart() {
        let leader = Fixture.uniform(.good, group: "leaders", reportees: ["r1"])
        let delegate = Fixture.uniform(.poor, group: "delegates", reportees: ["r1"])
        let rules = EvaluationRules(raterGroupWeights: ["leaders": 0.3, "delegates": 0.4])
        let result = Fixture.results([leader, delegate], rules: rules)[0]
        for form in result.forms {
            #expect(form.overall!.counts.goodRate == 0.5)
            #expect(form.goodRate == 0.5)
            #expect(approx(form.weightedGoodRate, 0.3 / 0.7))
            #expect(approx(form.score, (0.3 * 100 + 0.4 * 40) / 0.7))
        }
        #expect(result.goodRate == 0.5 && result.poorRate == 0.5)
        #expect(approx(result.weightedGoodRate, 0.3 / 0.7))
    }

    @Test func aFormWithoutValidVotesIsLeftOutOfTheComposite() {
        let marks: [CellKey: Grade] = [Fixture.key("r1", "party_building"): .good, Fixture.key("r1", "integrity"): .average]
        let result = Fixture.results([Fixture.ballot("g", marks)])[0]
        #expect(result.forms[2].score == nil)
        #expect(approx(result.composite, 80))
    }

    @Test func itemColumnsAreReportedWithTheirOwnCounts() {
        let marks: [CellKey: Grade] = [Fixture.key("r1", "party_building", "item3"): .average]
        let column = Fixture.results([Fixture.ballot("g", marks)])[0].forms[0].columns[3]
        #expect(column.column.name == "党员队伍建设")
        #expect(column.counts == GradeCounts(average: 1))
        #expect(column.meanPoints == 60)
    }
}
