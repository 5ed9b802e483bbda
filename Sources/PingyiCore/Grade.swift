import Foundation

/// 评议等次: the four-step scale every column of every form is rated on.
public enum Grade: String, CaseIterable, Codable, Sendable, Hashable {
    /// 好
    case good
    /// 较好
    case fairlyGood = "fairly_good"
    /// 一般
    case average
    /// 差
    case poor

    /// The label printed on forms and result sheets.
    public var label: String {
        switch self {
        case .good: "好"
        case .fairlyGood: "较好"
        case .average: "一般"
        case .poor: "差"
        }
    }

    /// Accepts the API code (`fairly_good`) or the Chinese label (`较好`).
    public init?(code: String) {
        if let grade = Grade(rawValue: code) {
            self = grade
        } else if let grade = Grade.allCases.first(where: { $0.label == code }) {
            self = grade
        } else {
            return nil
        }
    }

    /// 0 for 好 … 3 for 差; lower is better.
    public var rank: Int { Grade.allCases.firstIndex(of: self)! }
}

/// Points per grade (分值), default 好100 / 较好80 / 一般60 / 差40.
public struct GradePoints: Codable, Sendable, Hashable {
    public var good: Double
    public var fairlyGood: Double
    public var average: Double
    public var poor: Double

    public init(good: Double = 100, fairlyGood: Double = 80, average: Double = 60, poor: Double = 40) {
        self.good = good
        self.fairlyGood = fairlyGood
        self.average = average
        self.poor = poor
    }

    public static let standard = GradePoints()

    public subscript(grade: Grade) -> Double {
        switch grade {
        case .good: good
        case .fairlyGood: fairlyGood
        case .average: average
        case .poor: poor
        }
    }

    /// Lowest and highest points on the scale; every score lies in this range.
    public var range: ClosedRange<Double> { poor...good }

    /// Points must be finite, non-negative and never rise from 好 to 差; otherwise a better mark could lower a score.
    public func validate() throws(RulesError) {
        let values = Grade.allCases.map { self[$0] }
        guard values.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 1_000 }) else { throw .invalidPoints }
        for (better, worse) in zip(values, values.dropFirst()) where better < worse {
            throw .invalidPoints
        }
    }
}
