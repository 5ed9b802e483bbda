import Foundation

/// Counts for one column (or one column and rater group): each grade, abstentions (弃权) and voids (废票).
public struct GradeCounts: Codable, Sendable, Hashable {
    public var good = 0
    public var fairlyGood = 0
    public var average = 0
    public var poor = 0
    public var abstentions = 0
    public var voids = 0

    public init(good: Int = 0, fairlyGood: Int = 0, average: Int = 0, poor: Int = 0, abstentions: Int = 0, voids: Int = 0) {
        self.good = good
        self.fairlyGood = fairlyGood
        self.average = average
        self.poor = poor
        self.abstentions = abstentions
        self.voids = voids
    }

    public subscript(grade: Grade) -> Int {
        get {
            switch grade {
            case .good: good
            case .fairlyGood: fairlyGood
            case .average: average
            case .poor: poor
            }
        }
        set {
            switch grade {
            case .good: good = newValue
            case .fairlyGood: fairlyGood = newValue
            case .average: average = newValue
            case .poor: poor = newValue
            }
        }
    }

    /// Votes that carry a grade.
    public var valid: Int { good + fairlyGood + average + poor }
    /// Every ballot that reached this column: valid + abstentions + voids.
    public var total: Int { valid + abstentions + voids }

    /// 好评率 = (好 + 较好) / valid.
    public var goodRate: Double? { valid > 0 ? Double(good + fairlyGood) / Double(valid) : nil }
    /// 差评率 = 差 / valid.
    public var poorRate: Double? { valid > 0 ? Double(poor) / Double(valid) : nil }
    /// (一般 + 差) / valid, the share the one-third rule looks at.
    public var lowRate: Double? { valid > 0 ? Double(average + poor) / Double(valid) : nil }

    /// Mean points over valid votes.
    public func meanPoints(_ points: GradePoints) -> Double? {
        guard valid > 0 else { return nil }
        let sum = Grade.allCases.reduce(0.0) { $0 + Double(self[$1]) * points[$1] }
        return min(max(sum / Double(valid), points.poor), points.good)
    }

    public mutating func add(_ outcome: CellOutcome, count: Int = 1) {
        switch outcome {
        case .grade(let grade): self[grade] += count
        case .abstention: abstentions += count
        case .void: voids += count
        }
    }

    public static func + (lhs: GradeCounts, rhs: GradeCounts) -> GradeCounts {
        GradeCounts(
            good: lhs.good + rhs.good, fairlyGood: lhs.fairlyGood + rhs.fairlyGood,
            average: lhs.average + rhs.average, poor: lhs.poor + rhs.poor,
            abstentions: lhs.abstentions + rhs.abstentions, voids: lhs.voids + rhs.voids)
    }

    public static let zero = GradeCounts()
}

/// 计票: counts per cell and rater group. Integers only, so the order of ballots cannot matter.
public struct Tally: Sendable, Hashable {
    public private(set) var ballots: Int = 0
    public private(set) var ballotsByGroup: [String: Int] = [:]
    public private(set) var counts: [CellKey: [String: GradeCounts]] = [:]

    public init() {}

    /// Counts the ballots over every cell of the spec; a cell a ballot leaves empty is an abstention.
    public init(ballots: some Sequence<CastBallot>, spec: BallotSpec) {
        let cells = spec.cells
        for ballot in ballots {
            self.ballots += 1
            ballotsByGroup[ballot.raterGroup, default: 0] += 1
            for cell in cells {
                counts[cell, default: [:]][ballot.raterGroup, default: .zero].add(ballot.outcome(at: cell))
            }
        }
    }

    /// Builds a tally from counts computed elsewhere (e.g. a database GROUP BY).
    public init(counts: [CellKey: [String: GradeCounts]], ballotsByGroup: [String: Int]) {
        self.counts = counts
        self.ballotsByGroup = ballotsByGroup
        self.ballots = ballotsByGroup.values.reduce(0, +)
    }

    public func counts(_ cell: CellKey) -> [String: GradeCounts] { counts[cell] ?? [:] }

    /// All groups pooled.
    public func pooled(_ cell: CellKey) -> GradeCounts { counts(cell).values.reduce(.zero, +) }
}
