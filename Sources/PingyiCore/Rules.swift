import Foundation

/// An exact share such as 1/3, so that "more than one third" never depends on floating-point rounding.
public struct Fraction: Codable, Sendable, Hashable, CustomStringConvertible {
    public var numerator: Int
    public var denominator: Int

    public init(_ numerator: Int, _ denominator: Int) {
        self.numerator = numerator
        self.denominator = denominator
    }

    public var isValid: Bool { denominator > 0 && numerator >= 0 && numerator <= denominator }
    public var value: Double { Double(numerator) / Double(denominator) }
    public var description: String { "\(numerator)/\(denominator)" }

    /// `part / whole > self`, computed in integers.
    public func isExceeded(by part: Int, of whole: Int) -> Bool {
        part * denominator > numerator * whole
    }

    /// ⌊whole × self⌋, computed in integers.
    public func floor(of whole: Int) -> Int { whole * numerator / denominator }
}

/// A grade band on the composite score: a composite of at least `minimum` earns `grade`.
public struct GradeBand: Codable, Sendable, Hashable {
    public var grade: Grade
    public var minimum: Double

    public init(_ grade: Grade, atLeast minimum: Double) {
        self.grade = grade
        self.minimum = minimum
    }
}

/// 评定规则: how grades follow from the composite score and the flags.
public struct GradingRules: Codable, Sendable, Hashable {
    /// Bands from best to worst; a composite below every band gets 差.
    public var bands: [GradeBand]
    /// Flag a form when (一般+差)/valid on its overall column exceeds this share (default 1/3).
    public var lowRatingThreshold: Fraction
    /// A flagged reportee is graded no better than this (default 较好: a flagged secretary is never 好).
    /// `nil` makes the flag informational only.
    public var lowRatingCeiling: Grade?
    /// At most ⌊share × rated reportees⌋ may be graded 好; the rest by rank drop to 较好. `nil`: no cap.
    public var maxGoodShare: Fraction?

    public init(
        bands: [GradeBand] = GradingRules.standardBands,
        lowRatingThreshold: Fraction = Fraction(1, 3),
        lowRatingCeiling: Grade? = .fairlyGood,
        maxGoodShare: Fraction? = nil
    ) {
        self.bands = bands
        self.lowRatingThreshold = lowRatingThreshold
        self.lowRatingCeiling = lowRatingCeiling
        self.maxGoodShare = maxGoodShare
    }

    /// 好 ≥ 90, 较好 ≥ 80, 一般 ≥ 60, 差 below.
    public static let standardBands: [GradeBand] = [
        GradeBand(.good, atLeast: 90), GradeBand(.fairlyGood, atLeast: 80), GradeBand(.average, atLeast: 60),
    ]

    public static let standard = GradingRules()

    /// The band grade of a composite score (compared after rounding to 6 decimals, see `Score.normalized`).
    public func bandGrade(for composite: Double) -> Grade {
        let score = Score.normalized(composite)
        return bands.first { score >= Score.normalized($0.minimum) }?.grade ?? .poor
    }

    public func validate() throws(RulesError) {
        guard lowRatingThreshold.isValid else { throw .invalidFraction("一般+差比例阈值") }
        if let cap = maxGoodShare, !cap.isValid { throw .invalidFraction("好等次比例上限") }
        guard bands.allSatisfy({ $0.minimum.isFinite }) else { throw .invalidBands }
        guard Set(bands.map(\.grade)).count == bands.count else { throw .invalidBands }
        // Better grades need higher minimums, or a higher score could earn a worse grade.
        let ordered = bands.sorted { $0.grade.rank < $1.grade.rank }
        guard ordered == bands else { throw .invalidBands }
        for (better, worse) in zip(bands, bands.dropFirst()) where better.minimum <= worse.minimum {
            throw .invalidBands
        }
    }
}

/// 评议规则 of a campaign: points, weights and grading.
public struct EvaluationRules: Codable, Sendable, Hashable {
    public var points: GradePoints
    /// Weight per rater group id (e.g. 区领导 0.3, 部门负责人 0.3, 党代表·群众代表 0.4).
    /// Empty: every valid vote counts the same, whatever its group.
    public var raterGroupWeights: [String: Double]
    /// Weight per form id. Empty: every form weighs the same.
    public var formWeights: [String: Double]
    public var grading: GradingRules
    /// 最少人数: the fewest ballots any shown figure may rest on (see `RaterGroupPooling`). New rules and rules read
    /// without it carry the default 3; `nil` (only if set so in code) also means 3.
    public var minimumGroupSize: Int?
    public var effectiveMinimumGroupSize: Int { minimumGroupSize ?? RaterGroupPooling.defaultMinimum }

    public init(
        points: GradePoints = .standard,
        raterGroupWeights: [String: Double] = [:],
        formWeights: [String: Double] = [:],
        grading: GradingRules = .standard
    ) {
        self.points = points
        self.raterGroupWeights = raterGroupWeights
        self.formWeights = formWeights
        self.grading = grading
        self.minimumGroupSize = RaterGroupPooling.defaultMinimum
    }

    private enum CodingKeys: String, CodingKey { case points, raterGroupWeights, formWeights, grading, minimumGroupSize }

    /// As synthesized, except that rules without `minimumGroupSize` (sent so, or stored before it existed) get 3.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        points = try c.decode(GradePoints.self, forKey: .points)
        raterGroupWeights = try c.decode([String: Double].self, forKey: .raterGroupWeights)
        formWeights = try c.decode([String: Double].self, forKey: .formWeights)
        grading = try c.decode(GradingRules.self, forKey: .grading)
        minimumGroupSize = try c.decodeIfPresent(Int.self, forKey: .minimumGroupSize) ?? RaterGroupPooling.defaultMinimum
    }

    public static let standard = EvaluationRules()

    /// Checks the rules against the campaign's rater groups and forms: weights, when given, must cover every one.
    public func validate(raterGroups: [String], forms: [String]) throws(RulesError) {
        try points.validate()
        try grading.validate()
        if let minimumGroupSize, !(1...50).contains(minimumGroupSize) { throw .invalidMinimumGroupSize }
        try Self.validate(weights: raterGroupWeights, keys: raterGroups, what: "评议人类别权重")
        try Self.validate(weights: formWeights, keys: forms, what: "评议表权重")
    }

    private static func validate(weights: [String: Double], keys: [String], what: String) throws(RulesError) {
        guard !weights.isEmpty else { return }
        guard Set(weights.keys) == Set(keys) else { throw .weightsDoNotMatch(what) }
        guard weights.values.allSatisfy({ $0.isFinite && $0 > 0 }) else { throw .invalidWeight(what) }
    }
}

public enum RulesError: Error, Hashable, Sendable {
    case invalidPoints
    case invalidFraction(String)
    case invalidBands
    case weightsDoNotMatch(String)
    case invalidWeight(String)
    case invalidForm(String, String)
    case invalidMinimumGroupSize

    public var message: String {
        switch self {
        case .invalidPoints: "分值必须是 0–1000 之间的数，且 好 ≥ 较好 ≥ 一般 ≥ 差"
        case .invalidFraction(let what): "\(what)必须是 0 到 1 之间的比例"
        case .invalidBands: "等次分数线必须按 好、较好、一般 的顺序严格递减，且每个等次只出现一次"
        case .weightsDoNotMatch(let what): "\(what)必须为每一项都设置，且不能包含不存在的项"
        case .invalidWeight(let what): "\(what)必须是大于 0 的数"
        case .invalidForm(let form, let reason): "评议表 \(form)：\(reason)"
        case .invalidMinimumGroupSize: "最少人数应为 1 到 50 之间的整数（1 表示不合并）"
        }
    }
}

/// Score arithmetic shared by grading and ranking.
public enum Score {
    /// Scores are compared after rounding to 6 decimals, so sums taken in different orders compare equal.
    public static func normalized(_ score: Double) -> Double { (score * 1_000_000).rounded() / 1_000_000 }

    /// Σ wᵢ·xᵢ / Σ wᵢ over the entries that have a value and a positive weight; `nil` when none has.
    /// Weights of missing entries are thereby shared out in proportion among the present ones.
    public static func weightedMean(_ entries: [(value: Double?, weight: Double)]) -> Double? {
        var sum = 0.0
        var totalWeight = 0.0
        var lowest = Double.infinity
        var highest = -Double.infinity
        for entry in entries {
            guard let value = entry.value, entry.weight > 0 else { continue }
            sum += entry.weight * value
            totalWeight += entry.weight
            lowest = min(lowest, value)
            highest = max(highest, value)
        }
        guard totalWeight > 0 else { return nil }
        // A mean lies between its extremes; clamping removes the last-bit rounding that could break that.
        return min(max(sum / totalWeight, lowest), highest)
    }
}
