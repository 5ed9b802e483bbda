import Foundation
import Testing
@testable import PingyiCore

@Suite("Grading and ranking")
struct GradingTests {
    /// One ballot per given grade on every overall column of one reportee.
    func overallBallots(_ reportee: String, _ grades: [Grade], group: String = "g") -> [CastBallot] {
        grades.map { grade in
            Fixture.ballot(group, Dictionary(uniqueKeysWithValues: FormTemplate.seedForms.map {
                (Fixture.key(reportee, $0.id), grade)
            }))
        }
    }

    @Test(arguments: [(100.0, Grade.good), (90, .good), (89.999, .fairlyGood), (80, .fairlyGood), (79.9, .average),
                      (60, .average), (59.99, .poor), (40, .poor)])
    func standardBandsGradeTheComposite(score: Double, grade: Grade) {
        #expect(GradingRules.standard.bandGrade(for: score) == grade)
    }

    @Test func bandComparisonIgnoresLastBitRounding() {
        #expect(GradingRules.standard.bandGrade(for: 89.999_999_999_9) == .good)
    }

    @Test func exactlyOneThirdLowIsNotFlaggedMoreIs() {
        // 2 好 + 1 一般: exactly 1/3 → no flag; 1 好 + 1 较好 + 1 一般 + 1 差 → 1/2 → flag on every form
        let notFlagged = Fixture.results(overallBallots("r1", [.good, .good, .average]))[0]
        #expect(!notFlagged.flags.contains { if case .lowRating = $0 { true } else { false } })
        let flagged = Fixture.results(overallBallots("r1", [.good, .fairlyGood, .average, .poor]))[0]
        #expect(flagged.flags.filter { if case .lowRating = $0 { true } else { false } }.count == 3)
    }

    @Test func aFlaggedReporteeIsCappedAtTheCeiling() {
        // 一般 is worth as much as 好 here, so the band says 好 while 4 of 10 votes (more than 1/3) are 一般.
        let rules = EvaluationRules(points: GradePoints(good: 100, fairlyGood: 100, average: 100, poor: 0))
        let ballots = overallBallots("r1", Array(repeating: .good, count: 6) + Array(repeating: .average, count: 4))
        let result = Fixture.results(ballots, rules: rules)[0]
        #expect(result.composite == 100)
        #expect(result.grade == .fairlyGood)
        #expect(result.flags.contains(.limitedByLowRating(from: .good, to: .fairlyGood)))
    }

    @Test func withoutACeilingTheFlagIsInformationalOnly() {
        var rules = EvaluationRules(points: GradePoints(good: 100, fairlyGood: 100, average: 100, poor: 0))
        rules.grading.lowRatingCeiling = nil
        let ballots = overallBallots("r1", Array(repeating: .good, count: 6) + Array(repeating: .average, count: 4))
        let result = Fixture.results(ballots, rules: rules)[0]
        #expect(result.grade == .good)
        #expect(result.flags.contains(.lowRating(formID: "party_building", formName: "抓基层党建工作")))
    }

    @Test func theCapOnGoodDemotesTheLowestRankedBeyondIt() {
        // r1 100, r2 95 (3 好 1 较好... use explicit), r3 90: all 好 by band; cap 1/2 of 3 → ⌊1.5⌋ = 1
        let ballots = overallBallots("r1", [.good, .good]) + overallBallots("r2", [.good, .good, .good, .fairlyGood])
            + overallBallots("r3", [.good, .fairlyGood])
        var rules = EvaluationRules.standard
        rules.grading.maxGoodShare = Fraction(1, 2)
        let results = Fixture.results(ballots, rules: rules)
        #expect(results.map(\.composite) == [100, 95, 90])
        #expect(results.map(\.grade) == [.good, .fairlyGood, .fairlyGood])
        #expect(results[1].flags.contains(.demotedByGoodShareCap))
        #expect(results[2].flags.contains(.demotedByGoodShareCap))
        #expect(!results[0].flags.contains(.demotedByGoodShareCap))
    }

    @Test func rankingFollowsCompositeThenGoodRateThenLowShareThenCampaignOrder() {
        // r1: 好 + 一般 → 80, 好评率 1/2.  r2: 较好 ×2 → 80, 好评率 1.  r3: same as r1. Composite ties 80.
        let ballots = overallBallots("r1", [.good, .average]) + overallBallots("r2", [.fairlyGood, .fairlyGood])
            + overallBallots("r3", [.good, .average])
        let results = Fixture.results(ballots)
        #expect(results.map(\.composite) == [80, 80, 80])
        #expect(results.map(\.rank) == [2, 1, 3])
    }

    @Test func poorRateBreaksATieOfScoreAndGoodRate() {
        // 一般 and 差 score alike here: r1 (好 较好 差) and r2 (好 较好 一般) tie on score and 好评率; r2 has fewer 差.
        let rules = EvaluationRules(points: GradePoints(good: 100, fairlyGood: 80, average: 40, poor: 40))
        let spec = BallotSpec(reportees: ["r1", "r2"], forms: FormTemplate.seedForms)
        let ballots = overallBallots("r1", [.good, .fairlyGood, .poor]) + overallBallots("r2", [.good, .fairlyGood, .average])
        let results = Fixture.results(ballots, spec: spec, rules: rules)
        #expect(results[0].composite == results[1].composite)
        #expect(results[0].goodRate == results[1].goodRate)
        #expect(results.map(\.rank) == [2, 1])
    }

    @Test func aFullTieIsBrokenByCampaignOrder() {
        let spec = BallotSpec(reportees: ["r2", "r1"], forms: FormTemplate.seedForms)
        let ballots = overallBallots("r1", [.good, .average]) + overallBallots("r2", [.good, .average])
        let results = Fixture.results(ballots, spec: spec)
        #expect(results.map(\.reportee) == ["r2", "r1"])
        #expect(results.map(\.rank) == [1, 2])
    }

    @Test func aReporteeWithoutValidVotesIsNeitherScoredNorRanked() {
        let results = Fixture.results(overallBallots("r1", [.good]))
        #expect(results[1].composite == nil)
        #expect(results[1].rank == nil)
        #expect(results[1].grade == nil)
        #expect(results[1].flags == [.noValidVotes])
        #expect(results[0].rank == 1)
    }

    @Test func resultsComeInCampaignOrderWhateverTheRank() {
        let ballots = overallBallots("r3", [.good]) + overallBallots("r1", [.poor]) + overallBallots("r2", [.average])
        let results = Fixture.results(ballots)
        #expect(results.map(\.reportee) == ["r1", "r2", "r3"])
        #expect(results.map(\.rank) == [3, 2, 1])
        #expect(results.map(\.grade) == [.poor, .average, .good])
    }
}

@Suite("Rules validation")
struct RulesValidationTests {
    let groups = ["a", "b"]
    let forms = FormTemplate.seedForms.map(\.id)

    @Test func standardRulesAreValid() throws {
        try EvaluationRules.standard.validate(raterGroups: groups, forms: forms)
        try EvaluationRules(raterGroupWeights: ["a": 1, "b": 2], formWeights: Dictionary(uniqueKeysWithValues: forms.map { ($0, 1.0) }))
            .validate(raterGroups: groups, forms: forms)
    }

    @Test func weightsMustCoverExactlyTheGroupsAndForms() {
        #expect(throws: RulesError.weightsDoNotMatch("评议人类别权重")) {
            try EvaluationRules(raterGroupWeights: ["a": 1]).validate(raterGroups: groups, forms: forms)
        }
        #expect(throws: RulesError.weightsDoNotMatch("评议人类别权重")) {
            try EvaluationRules(raterGroupWeights: ["a": 1, "b": 1, "z": 1]).validate(raterGroups: groups, forms: forms)
        }
        #expect(throws: RulesError.weightsDoNotMatch("评议表权重")) {
            try EvaluationRules(formWeights: ["integrity": 1]).validate(raterGroups: groups, forms: forms)
        }
    }

    @Test(arguments: [0.0, -0.5, Double.nan, Double.infinity])
    func weightsMustBePositiveAndFinite(weight: Double) {
        #expect(throws: RulesError.invalidWeight("评议人类别权重")) {
            try EvaluationRules(raterGroupWeights: ["a": 1, "b": weight]).validate(raterGroups: groups, forms: forms)
        }
    }

    @Test func bandsMustDescendStrictlyInGradeOrder() {
        for bands in [
            [GradeBand(.fairlyGood, atLeast: 80), GradeBand(.good, atLeast: 90)],
            [GradeBand(.good, atLeast: 80), GradeBand(.fairlyGood, atLeast: 80)],
            [GradeBand(.good, atLeast: 90), GradeBand(.good, atLeast: 95)],
            [GradeBand(.good, atLeast: .nan)],
        ] {
            #expect(throws: RulesError.invalidBands) { try GradingRules(bands: bands).validate() }
        }
    }

    @Test func fractionsMustBeShares() {
        #expect(throws: RulesError.self) { try GradingRules(lowRatingThreshold: Fraction(1, 0)).validate() }
        #expect(throws: RulesError.self) { try GradingRules(lowRatingThreshold: Fraction(4, 3)).validate() }
        #expect(throws: RulesError.self) { try GradingRules(maxGoodShare: Fraction(-1, 3)).validate() }
    }

    @Test func fractionArithmeticIsExact() {
        let third = Fraction(1, 3)
        #expect(!third.isExceeded(by: 1, of: 3))
        #expect(third.isExceeded(by: 34, of: 100))
        #expect(!third.isExceeded(by: 333, of: 1000) && third.isExceeded(by: 334, of: 1000))
        #expect(Fraction(3, 10).floor(of: 11) == 3)
    }

    @Test func rulesRoundTripThroughJSON() throws {
        var rules = EvaluationRules(raterGroupWeights: ["a": 0.4, "b": 0.6])
        rules.grading.maxGoodShare = Fraction(3, 10)
        let data = try JSONEncoder().encode(rules)
        #expect(try JSONDecoder().decode(EvaluationRules.self, from: data) == rules)
    }
}

@Suite("Round reconciliation")
struct ReconciliationTests {
    @Test func returnedIsValidPlusVoid() {
        let round = RoundReconciliation(issued: 40, valid: 36, void: 2)
        #expect(round.returned == 38)
        #expect(round.unreturned == 2)
        #expect(!round.isVoid)
        #expect(round.summary == "发出 40 张，收回 38 张（有效 36，无效 2）")
    }

    @Test func returningExactlyAsManyAsIssuedIsFine() {
        #expect(!RoundReconciliation(issued: 10, valid: 9, void: 1).isVoid)
    }

    @Test func returningMoreThanIssuedVoidsTheRound() {
        let round = RoundReconciliation(issued: 10, valid: 10, void: 1)
        #expect(round.isVoid)
        #expect(round.unreturned == 0)
        #expect(round.summary.contains("本轮评议无效"))
    }

    @Test func reconcilesFromBallots() {
        let ballots = [Fixture.uniform(.good), CastBallot.void(raterGroup: "g1"), Fixture.uniform(.poor)]
        #expect(RoundReconciliation(issued: 3, ballots: ballots) == RoundReconciliation(issued: 3, valid: 2, void: 1))
    }
}
