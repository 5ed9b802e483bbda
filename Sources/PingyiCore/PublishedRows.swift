import Foundation

/// One line of a public notice (结果公示), frozen when the notice is published.
public struct PublishedRow: Codable, Sendable, Hashable {
    public var reporteeID: UUID
    public var name: String
    public var unitName: String
    public var title: String
    public var goodRate: Double?
    public var composite: Double?
    public var rank: Int?
    /// 评议等次 from the ballot.
    public var evaluationGrade: String?
    /// 综合评定等次, when the assessment is complete.
    public var finalGrade: String?

    public init(reporteeID: UUID, name: String, unitName: String, title: String, goodRate: Double?, composite: Double?, rank: Int?,
                evaluationGrade: String?, finalGrade: String?) {
        self.reporteeID = reporteeID
        self.name = name
        self.unitName = unitName
        self.title = title
        self.goodRate = goodRate
        self.composite = composite
        self.rank = rank
        self.evaluationGrade = evaluationGrade
        self.finalGrade = finalGrade
    }
}

/// 结果公示的名单: the chosen secretaries' lines, by rank, then name; those without a rank last.
public enum PublishedRows {
    /// A notice runs 1 to 30 days.
    public static let days = 1...30

    /// The request's period and choice: at least one secretary, none twice.
    public static func checkRequest(days: Int, chosen: [UUID]) throws(PublicationError) {
        guard Self.days.contains(days) else { throw .days }
        guard !chosen.isEmpty else { throw .noneChosen }
        guard Set(chosen).count == chosen.count else { throw .chosenTwice }
    }

    /// The chosen lines out of `candidates` (one per secretary with a result), in notice order.
    public static func build(_ chosen: [UUID], from candidates: [PublishedRow]) throws(PublicationError) -> [PublishedRow] {
        let byID = Dictionary(candidates.map { ($0.reporteeID, $0) }, uniquingKeysWith: { a, _ in a })
        var rows: [PublishedRow] = []
        for id in chosen {
            guard let row = byID[id] else { throw .unknownReportee }
            rows.append(row)
        }
        return ordered(rows)
    }

    /// By rank, then name; unranked last.
    public static func ordered(_ rows: [PublishedRow]) -> [PublishedRow] {
        rows.sorted { ($0.rank ?? .max, $0.name) < ($1.rank ?? .max, $1.name) }
    }
}

public enum PublicationError: Error, Hashable, Sendable {
    case days
    case noneChosen
    case chosenTwice
    /// A chosen secretary is not in the campaign's results.
    case unknownReportee

    public var message: String {
        switch self {
        case .days: "公示期应为 1 到 30 天"
        case .noneChosen: "请至少选择一名述职对象"
        case .chosenTwice: "述职对象重复"
        case .unknownReportee: "述职对象不存在"
        }
    }
}
