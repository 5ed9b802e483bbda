import Foundation

/// 考核分项: the parts of the annual assessment. The democratic evaluation comes from the ballot; the others are
/// entered by the organization department, each on a 0–100 scale.
public enum AssessmentComponent: String, Codable, CaseIterable, Sendable, Hashable {
    /// 民主评议 (the campaign's composite score)
    case evaluation
    /// 日常考核
    case daily
    /// 目标管理责任制考核
    case target
    /// 现场述职评分
    case onsite

    public var label: String {
        switch self {
        case .evaluation: "民主评议"
        case .daily: "日常考核"
        case .target: "目标管理责任制"
        case .onsite: "现场述职评分"
        }
    }

    /// The parts an admin types in.
    public static let entered: [AssessmentComponent] = [.daily, .target, .onsite]

    /// Whether the part exists for a secretary: 现场述职评分 only for one who reports at the meeting (会上述职); a
    /// written report (书面述职) has no on-site score, and its weight goes to the parts that apply.
    public func applies(reportsOnSite: Bool) -> Bool { self != .onsite || reportsOnSite }
}

/// 考核规则: the weight of each part. Grades use the campaign's bands and caps (`GradingRules`).
public struct AssessmentRules: Codable, Sendable, Hashable {
    /// Weight per component id (`evaluation`, `daily`, `target`, `onsite`). A missing or zero weight leaves the part out.
    public var weights: [String: Double]

    public init(weights: [AssessmentComponent: Double] = AssessmentRules.standardWeights) {
        self.weights = Dictionary(uniqueKeysWithValues: weights.map { ($0.key.rawValue, $0.value) })
    }

    /// 民主评议 40%, 日常考核 30%, 目标管理责任制 20%, 现场述职评分 10%.
    public static let standardWeights: [AssessmentComponent: Double] = [.evaluation: 0.4, .daily: 0.3, .target: 0.2, .onsite: 0.1]
    public static let standard = AssessmentRules()

    /// Weights as sent over the wire, by component id; `validate()` checks the ids.
    public init(rawWeights: [String: Double]) {
        weights = rawWeights
    }

    public func weight(_ component: AssessmentComponent) -> Double { weights[component.rawValue] ?? 0 }

    /// The parts that count, in their fixed order.
    public var counted: [AssessmentComponent] { AssessmentComponent.allCases.filter { weight($0) > 0 } }

    public func validate() throws(RulesError) {
        guard Set(weights.keys).isSubset(of: AssessmentComponent.allCases.map(\.rawValue)) else {
            throw .weightsDoNotMatch("考核分项权重")
        }
        guard weights.values.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 1_000 }) else { throw .invalidWeight("考核分项权重") }
        guard weights.values.contains(where: { $0 > 0 }) else { throw .invalidWeight("考核分项权重") }
    }
}

/// What the organization department enters for one secretary.
public struct AssessmentEntry: Codable, Sendable, Hashable {
    /// Scores of the entered parts (0–100) by component id; a missing part is not yet entered.
    public var scores: [String: Double]
    /// 一票否决: the reason, when the veto applies.
    public var veto: String?

    public init(scores: [AssessmentComponent: Double] = [:], veto: String? = nil) {
        self.scores = Dictionary(uniqueKeysWithValues: scores.map { ($0.key.rawValue, $0.value) })
        self.veto = veto
    }

    /// Scores as sent over the wire, by component id; `validate()` checks the ids and ranges.
    public init(rawScores: [String: Double], veto: String?) {
        scores = rawScores
        self.veto = veto
    }

    public func score(_ component: AssessmentComponent) -> Double? { scores[component.rawValue] }

    public static let empty = AssessmentEntry()

    public static let scoreRange: ClosedRange<Double> = 0...100

    public func validate(reportsOnSite: Bool = true) throws(AssessmentError) {
        for (key, value) in scores {
            guard let component = AssessmentComponent(rawValue: key), component != .evaluation else { throw .unknownComponent(key) }
            guard component.applies(reportsOnSite: reportsOnSite) else { throw .notApplicable(component) }
            guard value.isFinite, Self.scoreRange.contains(value) else { throw .scoreOutOfRange(component) }
        }
        if let veto, veto.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw .vetoWithoutReason }
    }
}

public enum AssessmentError: Error, Hashable, Sendable {
    case unknownComponent(String)
    case scoreOutOfRange(AssessmentComponent)
    case vetoWithoutReason
    case notApplicable(AssessmentComponent)

    public var message: String {
        switch self {
        case .notApplicable(let component): "书面述职的书记没有\(component.label)，不能录入"
        case .unknownComponent(let key): "没有这个考核分项：\(key.prefix(40))"
        case .scoreOutOfRange(let component): "\(component.label)得分必须在 0 到 100 之间"
        case .vetoWithoutReason: "一票否决必须写明理由"
        }
    }
}

/// The final assessment of one secretary.
public struct AssessmentOutcome: Sendable, Hashable {
    public struct Part: Sendable, Hashable {
        public var component: AssessmentComponent
        public var score: Double?
        public var weight: Double
    }

    public var parts: [Part]
    /// Σ weight × score / Σ weight over the counted parts; `nil` until every counted part has a score.
    public var score: Double?
    /// The final grade 好/较好/一般/差; `nil` while parts are missing (unless vetoed: 一票否决 is always 差).
    public var grade: Grade?
    public var missing: [AssessmentComponent]
    /// Weighted parts that do not exist for this secretary (现场述职评分 of a written report): left out, so their
    /// weight is shared out among the parts that apply in proportion to their own weights.
    public var notApplicable: [AssessmentComponent] = []
    public var notes: [String]
}

/// 综合评定: combines the democratic evaluation with the entered parts.
///
/// Every counted part must be present before a score is given: a half-entered assessment must not look final.
/// A part that does not apply to the secretary (现场述职评分 of a written report) is left out, so the score is
/// Σ w·s / Σ w over the parts that apply: its weight is shared out among them in proportion to their own weights,
/// as a silent rater group's weight is.
/// The band comes from the campaign's grading rules; the evaluation's low-rating ceiling still applies (a secretary
/// flagged by the ballot is not 好 through other parts); 一票否决 makes the grade 差 whatever the score.
public func assess(_ evaluation: ReporteeResult, entry: AssessmentEntry, rules: AssessmentRules, grading: GradingRules,
                   reportsOnSite: Bool = true) -> AssessmentOutcome {
    let notApplicable = rules.counted.filter { !$0.applies(reportsOnSite: reportsOnSite) }
    let parts = rules.counted.filter { $0.applies(reportsOnSite: reportsOnSite) }.map { component in
        AssessmentOutcome.Part(component: component,
                               score: component == .evaluation ? evaluation.composite : entry.score(component),
                               weight: rules.weight(component))
    }
    let missing = parts.filter { $0.score == nil }.map(\.component)
    var notes: [String] = []
    if !notApplicable.isEmpty {
        notes.append("书面述职：不计" + notApplicable.map(\.label).joined(separator: "、") + "，其权重按比例分给其余分项")
    }
    let score = missing.isEmpty ? Score.weightedMean(parts.map { ($0.score, $0.weight) }) : nil
    var grade = score.map(grading.bandGrade(for:))
    if let band = grade {
        let flagged = evaluation.flags.contains { if case .lowRating = $0 { true } else { false } }
        if flagged, let ceiling = grading.lowRatingCeiling, band.rank < ceiling.rank {
            grade = ceiling
            notes.append("民主评议一般和差比例超标，等次由\(band.label)调整为\(ceiling.label)")
        }
    } else {
        notes.append("待录入：" + missing.map(\.label).joined(separator: "、"))
    }
    if let reason = entry.veto {
        grade = .poor
        notes.append("一票否决：\(reason)")
    }
    return AssessmentOutcome(parts: parts, score: score, grade: grade, missing: missing, notApplicable: notApplicable, notes: notes)
}

/// Assesses every secretary of a campaign, then applies the cap on the share of 好 (if configured) by final score:
/// beyond ⌊share × graded⌋, the lower-scored 好 become 较好. Ties keep campaign order, as in the ranking.
/// `writtenReports`: the secretaries (ids) who report in writing (书面述职).
public func assessAll(_ results: [ReporteeResult], entries: [String: AssessmentEntry], rules: AssessmentRules,
                      grading: GradingRules, writtenReports: Set<String> = []) -> [String: AssessmentOutcome] {
    var outcomes = Dictionary(results.map {
        ($0.reportee, assess($0, entry: entries[$0.reportee] ?? .empty, rules: rules, grading: grading,
                             reportsOnSite: !writtenReports.contains($0.reportee)))
    }, uniquingKeysWith: { a, _ in a })
    guard let cap = grading.maxGoodShare else { return outcomes }
    let order = results.map(\.reportee)
    let graded = order.filter { outcomes[$0]?.grade != nil }
    var allowed = cap.floor(of: graded.count)
    let byScore = graded.enumerated().sorted { a, b in
        let x = Score.normalized(outcomes[a.element]?.score ?? -1), y = Score.normalized(outcomes[b.element]?.score ?? -1)
        return x != y ? x > y : a.offset < b.offset
    }.map(\.element)
    for id in byScore where outcomes[id]?.grade == .good {
        if allowed > 0 {
            allowed -= 1
        } else {
            outcomes[id]?.grade = .fairlyGood
            outcomes[id]?.notes.append("超出“好”等次比例上限，调整为较好")
        }
    }
    return outcomes
}
