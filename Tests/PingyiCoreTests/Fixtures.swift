import PingyiCore

/// Small builders shared by the core tests.
enum Fixture {
    static let forms = FormTemplate.seedForms
    static let reportees = ["r1", "r2", "r3"]
    static let spec = BallotSpec(reportees: reportees, forms: forms)

    static func key(_ reportee: String, _ form: String = "party_building", _ column: String = "overall") -> CellKey {
        CellKey(reportee: reportee, form: form, column: column)
    }

    /// A ballot marking the given grade in every cell of every listed reportee.
    static func uniform(_ grade: Grade, group: String = "g1", reportees: [String] = reportees, spec: BallotSpec = spec) -> CastBallot {
        var marks: [CellKey: CellMark] = [:]
        for cell in spec.cells where reportees.contains(cell.reportee) { marks[cell] = .grade(grade) }
        return CastBallot(raterGroup: group, marks: marks)
    }

    /// A ballot marking only the given cells.
    static func ballot(_ group: String = "g1", _ marks: [CellKey: Grade]) -> CastBallot {
        CastBallot(raterGroup: group, marks: marks.mapValues { .grade($0) })
    }

    static func results(_ ballots: [CastBallot], spec: BallotSpec = spec, rules: EvaluationRules = .standard) -> [ReporteeResult] {
        evaluate(Tally(ballots: ballots, spec: spec), spec: spec, rules: rules)
    }
}

typealias SeededGenerator = SplitMix64

func approx(_ a: Double?, _ b: Double?, tolerance: Double = 1e-9) -> Bool {
    switch (a, b) {
    case (nil, nil): true
    case let (x?, y?): abs(x - y) <= tolerance
    default: false
    }
}
