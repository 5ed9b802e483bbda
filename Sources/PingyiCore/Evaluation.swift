import Foundation

/// The result of one column of one form for one reportee.
public struct ColumnResult: Sendable, Hashable {
    public var column: FormColumn
    /// All rater groups pooled.
    public var counts: GradeCounts
    public var byGroup: [String: GradeCounts]
    /// Mean points over all valid votes, groups pooled.
    public var meanPoints: Double?
    /// Mean points per rater group, combined by the group weights (see `Score.weightedMean`).
    public var weightedPoints: Double?
    /// 加权好评率: each group's 好评率 combined by the same weights. Not 好评率, which is `counts.goodRate`.
    public var weightedGoodRate: Double?
}

/// The result of one form for one reportee. The form's score is its overall column's weighted points.
public struct FormResult: Sendable, Hashable {
    public var form: FormTemplate
    public var columns: [ColumnResult]
    public var overall: ColumnResult? { columns.first { $0.column.kind == .overall } }
    public var score: Double? { overall?.weightedPoints }
    /// 好评率: (好+较好)/valid on the overall column, every vote counting once.
    public var goodRate: Double? { overall?.counts.goodRate }
    /// 加权好评率: the overall column's group 好评率 combined by the group weights.
    public var weightedGoodRate: Double? { overall?.weightedGoodRate }
}

/// Why a grade is what it is: each rule that fired.
public enum GradingFlag: Hashable, Sendable {
    /// 一般+差 exceeded the threshold on this form's overall column.
    case lowRating(formID: String, formName: String)
    /// The band grade was lowered to the ceiling because of a low-rating flag.
    case limitedByLowRating(from: Grade, to: Grade)
    /// Graded 好 by band, but beyond the cap on the share of 好.
    case demotedByGoodShareCap
    /// No valid vote on any form's overall column: not scored, not ranked, not graded.
    case noValidVotes

    /// A stable code for machines; `message` is the Chinese sentence for people.
    public var code: String {
        switch self {
        case .lowRating: "low_rating"
        case .limitedByLowRating: "limited_by_low_rating"
        case .demotedByGoodShareCap: "demoted_by_good_share_cap"
        case .noValidVotes: "no_valid_votes"
        }
    }

    public var message: String {
        switch self {
        case .lowRating(_, let form): "「\(form)」总体评价中一般和差超过规定比例"
        case .limitedByLowRating(let from, let to): "因一般和差比例超标，等次由\(from.label)调整为\(to.label)"
        case .demotedByGoodShareCap: "超出“好”等次比例上限，调整为较好"
        case .noValidVotes: "没有有效票，不计分、不排名"
        }
    }
}

/// Everything Pingyi publishes about one reportee.
public struct ReporteeResult: Sendable, Hashable {
    public var reportee: String
    public var forms: [FormResult]
    /// Form scores combined by form weights.
    public var composite: Double?
    /// 好评率: Σ(好+较好) / Σ valid over the overall columns of all forms, every vote counting once; a ranking tie-break.
    public var goodRate: Double?
    /// 差评率: Σ差 / Σ valid over the same votes; a ranking tie-break.
    public var poorRate: Double?
    /// 加权好评率: the forms' weighted 好评率 combined by the form weights, as the composite combines scores.
    public var weightedGoodRate: Double?
    /// 1-based; `nil` when there is no composite.
    public var rank: Int?
    public var grade: Grade?
    public var flags: [GradingFlag]
}

/// Scores, ranks and grades every reportee of a campaign from a tally.
///
/// Ranking: composite (higher first), then 好评率 (higher first), then 差评率 (lower first), both over the overall
/// columns' votes, then campaign order. Scores are compared after `Score.normalized`.
public func evaluate(_ tally: Tally, spec: BallotSpec, rules: EvaluationRules) -> [ReporteeResult] {
    let formWeight = { (form: String) in rules.formWeights.isEmpty ? 1 : rules.formWeights[form] ?? 0 }
    var results = spec.reportees.map { reportee -> ReporteeResult in
        let forms = spec.forms.map { form in
            FormResult(form: form, columns: form.columns.map { column in
                columnResult(tally.counts(CellKey(reportee: reportee, form: form.id, column: column.id)),
                             column: column, rules: rules)
            })
        }
        let composite = Score.weightedMean(forms.map { ($0.score, formWeight($0.form.id)) })
        let weightedGoodRate = Score.weightedMean(forms.map { ($0.weightedGoodRate, formWeight($0.form.id)) })
        let overallPooled = forms.compactMap { $0.overall?.counts }.reduce(.zero, +)
        var flags: [GradingFlag] = []
        for form in forms {
            if let overall = form.overall?.counts,
               rules.grading.lowRatingThreshold.isExceeded(by: overall.average + overall.poor, of: overall.valid) {
                flags.append(.lowRating(formID: form.form.id, formName: form.form.name))
            }
        }
        if composite == nil { flags.append(.noValidVotes) }
        return ReporteeResult(
            reportee: reportee, forms: forms, composite: composite, goodRate: overallPooled.goodRate,
            poorRate: overallPooled.poorRate, weightedGoodRate: weightedGoodRate, rank: nil, grade: nil, flags: flags)
    }
    rankAndGrade(&results, order: spec.reportees, grading: rules.grading)
    return results
}

func columnResult(_ byGroup: [String: GradeCounts], column: FormColumn, rules: EvaluationRules) -> ColumnResult {
    let pooled = byGroup.values.reduce(.zero, +)
    let weighted: (points: Double?, goodRate: Double?)
    if rules.raterGroupWeights.isEmpty {
        weighted = (pooled.meanPoints(rules.points), pooled.goodRate)
    } else {
        // Sorted so that the floating-point sum is taken in one fixed order.
        let groups = byGroup.keys.sorted()
        weighted = (
            Score.weightedMean(groups.map { (byGroup[$0]!.meanPoints(rules.points), rules.raterGroupWeights[$0] ?? 0) }),
            Score.weightedMean(groups.map { (byGroup[$0]!.goodRate, rules.raterGroupWeights[$0] ?? 0) })
        )
    }
    return ColumnResult(
        column: column, counts: pooled, byGroup: byGroup, meanPoints: pooled.meanPoints(rules.points),
        weightedPoints: weighted.points, weightedGoodRate: weighted.goodRate)
}

/// Ranks by the documented tie-break, then grades: band → low-rating ceiling → cap on the share of 好.
func rankAndGrade(_ results: inout [ReporteeResult], order: [String], grading: GradingRules) {
    let position = Dictionary(order.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
    let ranked = results.indices.filter { results[$0].composite != nil }.sorted { a, b in
        let x = results[a], y = results[b]
        let xs = Score.normalized(x.composite!), ys = Score.normalized(y.composite!)
        if xs != ys { return xs > ys }
        let xg = Score.normalized(x.goodRate ?? 0), yg = Score.normalized(y.goodRate ?? 0)
        if xg != yg { return xg > yg }
        let xp = Score.normalized(x.poorRate ?? 0), yp = Score.normalized(y.poorRate ?? 0)
        if xp != yp { return xp < yp }
        return position[x.reportee, default: .max] < position[y.reportee, default: .max]
    }
    for (offset, index) in ranked.enumerated() {
        results[index].rank = offset + 1
        let band = grading.bandGrade(for: results[index].composite!)
        var grade = band
        let flagged = results[index].flags.contains { if case .lowRating = $0 { true } else { false } }
        if flagged, let ceiling = grading.lowRatingCeiling, grade.rank < ceiling.rank {
            grade = ceiling
            results[index].flags.append(.limitedByLowRating(from: band, to: ceiling))
        }
        results[index].grade = grade
    }
    if let cap = grading.maxGoodShare {
        var allowed = cap.floor(of: ranked.count)
        for index in ranked where results[index].grade == .good {
            if allowed > 0 {
                allowed -= 1
            } else {
                results[index].grade = .fairlyGood
                results[index].flags.append(.demotedByGoodShareCap)
            }
        }
    }
}
