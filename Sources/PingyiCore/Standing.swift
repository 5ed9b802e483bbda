/// One secretary's 评议结果 as it is kept at the count (issue 25): what the district overview and the 综合评定 read,
/// so the overview lists a thousand campaigns without evaluating a thousand tallies. The per-form detail is left out:
/// result pages compute it from the kept tally. Values only: it equals the fresh evaluation it was made from.
public struct SecretaryStanding: Codable, Sendable, Hashable {
    /// A form whose overall column went over the 一般+差 threshold.
    public struct LowRating: Codable, Sendable, Hashable {
        public var formID: String
        public var formName: String
    }

    public var reportee: String
    public var composite: Double?
    public var goodRate: Double?
    public var poorRate: Double?
    public var weightedGoodRate: Double?
    public var rank: Int?
    public var grade: Grade?
    public var lowRatings: [LowRating]

    public init(_ result: ReporteeResult) {
        reportee = result.reportee
        composite = result.composite
        goodRate = result.goodRate
        poorRate = result.poorRate
        weightedGoodRate = result.weightedGoodRate
        rank = result.rank
        grade = result.grade
        lowRatings = result.flags.compactMap {
            if case .lowRating(let formID, let formName) = $0 { LowRating(formID: formID, formName: formName) } else { nil }
        }
    }

    /// The result as the overview and `assess` read it: no forms, and of the flags only the low-rating ones (the others
    /// follow from the grade and the composite, and nothing that reads a standing shows them).
    public var result: ReporteeResult {
        ReporteeResult(reportee: reportee, forms: [], composite: composite, goodRate: goodRate, poorRate: poorRate,
                       weightedGoodRate: weightedGoodRate, rank: rank, grade: grade,
                       flags: lowRatings.map { .lowRating(formID: $0.formID, formName: $0.formName) })
    }
}
