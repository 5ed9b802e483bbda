import Testing
@testable import PingyiCore

/// Properties checked over many random campaigns, each replayable from its seed.
@Suite("Tally properties")
struct TallyPropertyTests {
    static let seeds: [UInt64] = Array(1...60)

    struct Scenario {
        var spec: BallotSpec
        var ballots: [CastBallot]
        var rules: EvaluationRules
        var groups: [String]
    }

    /// A random campaign: 1–5 reportees, 1–3 forms, 1–4 rater groups, 0–40 ballots mixing every kind of cell.
    static func scenario(seed: UInt64, normalizedWeights: Bool = false) -> Scenario {
        var rng = SeededGenerator(seed: seed)
        let reportees = (0..<Int.random(in: 1...5, using: &rng)).map { "r\($0)" }
        let forms = Array(FormTemplate.seedForms.shuffled(using: &rng).prefix(Int.random(in: 1...3, using: &rng)))
        let spec = BallotSpec(reportees: reportees, forms: forms)
        let groups = (0..<Int.random(in: 1...4, using: &rng)).map { "g\($0)" }
        var ballots: [CastBallot] = []
        for _ in 0..<Int.random(in: 0...40, using: &rng) {
            let group = groups.randomElement(using: &rng)!
            if Int.random(in: 0..<20, using: &rng) == 0 {
                ballots.append(.void(raterGroup: group))
                continue
            }
            var marks: [CellKey: CellMark] = [:]
            for cell in spec.cells {
                switch Int.random(in: 0..<12, using: &rng) {
                case 0: break // abstain
                case 1: marks[cell] = .void
                default: marks[cell] = .grade(Grade.allCases.randomElement(using: &rng)!)
                }
            }
            ballots.append(CastBallot(raterGroup: group, marks: marks))
        }
        var rules = EvaluationRules.standard
        if Bool.random(using: &rng) {
            var weights = Dictionary(uniqueKeysWithValues: groups.map { ($0, Double.random(in: 0.05...1, using: &rng)) })
            if normalizedWeights {
                let total = weights.values.reduce(0, +)
                weights = weights.mapValues { $0 / total }
            }
            rules.raterGroupWeights = weights
        }
        if Bool.random(using: &rng) {
            rules.formWeights = Dictionary(uniqueKeysWithValues: forms.map { ($0.id, Double.random(in: 0.1...1, using: &rng)) })
        }
        if Bool.random(using: &rng) { rules.grading.maxGoodShare = Fraction(Int.random(in: 0...3, using: &rng), 4) }
        if Bool.random(using: &rng) {
            let poor = Double.random(in: 0...50, using: &rng)
            let average = poor + Double.random(in: 0...30, using: &rng)
            let fairlyGood = average + Double.random(in: 0...30, using: &rng)
            rules.points = GradePoints(good: fairlyGood + Double.random(in: 0...30, using: &rng),
                                       fairlyGood: fairlyGood, average: average, poor: poor)
        }
        return Scenario(spec: spec, ballots: ballots, rules: rules, groups: groups)
    }

    /// Every score of a result, in a fixed order, for comparing two evaluations.
    static func scores(_ result: ReporteeResult) -> [Double?] {
        result.forms.flatMap { form in form.columns.flatMap { [$0.meanPoints, $0.weightedPoints] } + [form.score] }
            + [result.composite]
    }

    @Test(arguments: seeds)
    func countsAlwaysSumToTheBallotsCast(seed: UInt64) {
        let s = Self.scenario(seed: seed)
        let tally = Tally(ballots: s.ballots, spec: s.spec)
        for cell in s.spec.cells {
            #expect(tally.pooled(cell).total == s.ballots.count)
            for group in s.groups {
                let cast = s.ballots.filter { $0.raterGroup == group }.count
                #expect((tally.counts(cell)[group]?.total ?? 0) == cast)
            }
        }
        #expect(tally.ballots == s.ballots.count)
    }

    @Test(arguments: seeds)
    func reorderingBallotsNeverChangesAResult(seed: UInt64) {
        let s = Self.scenario(seed: seed)
        var rng = SeededGenerator(seed: seed &* 31)
        let original = evaluate(Tally(ballots: s.ballots, spec: s.spec), spec: s.spec, rules: s.rules)
        for _ in 0..<3 {
            let shuffled = s.ballots.shuffled(using: &rng)
            #expect(evaluate(Tally(ballots: shuffled, spec: s.spec), spec: s.spec, rules: s.rules) == original)
        }
    }

    @Test(arguments: seeds)
    func turningOneMarkIntoGoodNeverLowersAnyScore(seed: UInt64) {
        let s = Self.scenario(seed: seed)
        guard !s.ballots.isEmpty else { return }
        var rng = SeededGenerator(seed: seed &* 17)
        let before = evaluate(Tally(ballots: s.ballots, spec: s.spec), spec: s.spec, rules: s.rules)
        for _ in 0..<5 {
            var ballots = s.ballots
            let index = Int.random(in: 0..<ballots.count, using: &rng)
            guard !ballots[index].isVoid else { continue }
            let cell = s.spec.cells.randomElement(using: &rng)!
            ballots[index].marks[cell] = .grade(.good)
            let after = evaluate(Tally(ballots: ballots, spec: s.spec), spec: s.spec, rules: s.rules)
            for (old, new) in zip(before, after) {
                for (x, y) in zip(Self.scores(old), Self.scores(new)) {
                    if old.reportee == cell.reportee {
                        // A score may appear (nil → value) but never drop.
                        if let x { #expect(y.map { Score.normalized($0) >= Score.normalized(x) } == true) }
                    } else {
                        #expect(x == y)
                    }
                }
            }
        }
    }

    @Test(arguments: seeds)
    func weightsSummingToOneKeepScoresWithinThePointsRange(seed: UInt64) {
        let s = Self.scenario(seed: seed, normalizedWeights: true)
        let results = evaluate(Tally(ballots: s.ballots, spec: s.spec), spec: s.spec, rules: s.rules)
        for result in results {
            for score in Self.scores(result).compactMap({ $0 }) {
                #expect(s.rules.points.range.contains(score))
            }
            for rate in [result.goodRate, result.poorRate].compactMap({ $0 }) {
                #expect((0...1).contains(rate))
            }
        }
    }

    @Test(arguments: seeds)
    func ranksArePermutationsAndGradesRespectTheCap(seed: UInt64) {
        let s = Self.scenario(seed: seed)
        let results = evaluate(Tally(ballots: s.ballots, spec: s.spec), spec: s.spec, rules: s.rules)
        let rated = results.filter { $0.composite != nil }
        #expect(rated.compactMap(\.rank).sorted() == Array(1...max(rated.count, 1)).prefix(rated.count).map { $0 })
        #expect(results.allSatisfy { ($0.rank == nil) == ($0.composite == nil) && ($0.grade == nil) == ($0.composite == nil) })
        if let cap = s.rules.grading.maxGoodShare {
            #expect(results.filter { $0.grade == .good }.count <= cap.floor(of: rated.count))
        }
        // A better rank never has a worse composite.
        let byRank = rated.sorted { $0.rank! < $1.rank! }
        for (a, b) in zip(byRank, byRank.dropFirst()) {
            #expect(Score.normalized(a.composite!) >= Score.normalized(b.composite!))
        }
    }

    @Test(arguments: seeds)
    func electronicBallotsSurviveValidationUnchanged(seed: UInt64) throws {
        let s = Self.scenario(seed: seed)
        for ballot in s.ballots where !ballot.isVoid {
            let raw = ballot.marks.compactMap { key, mark -> RawMark? in
                guard case .grade(let grade) = mark else { return nil }
                return RawMark(reportee: key.reportee, form: key.form, column: key.column, grade: grade.rawValue)
            }
            let validated = try s.spec.validate(raw, raterGroup: ballot.raterGroup, medium: .electronic)
            #expect(validated.marks == ballot.marks.filter { $0.value != .void })
        }
    }
}
