import Foundation

/// One cell of the ballot: a (reportee, form, column) triple.
public struct CellKey: Hashable, Codable, Sendable, Comparable {
    public var reportee: String
    public var form: String
    public var column: String

    public init(reportee: String, form: String, column: String) {
        self.reportee = reportee
        self.form = form
        self.column = column
    }

    public static func < (lhs: CellKey, rhs: CellKey) -> Bool {
        (lhs.reportee, lhs.form, lhs.column) < (rhs.reportee, rhs.form, rhs.column)
    }
}

/// A mark as submitted by a phone or keyed from a paper sheet, before validation.
public struct RawMark: Codable, Sendable, Hashable {
    public var reportee: String
    public var form: String
    public var column: String
    public var grade: String

    public init(reportee: String, form: String, column: String, grade: String) {
        self.reportee = reportee
        self.form = form
        self.column = column
        self.grade = grade
    }
}

/// Where a ballot came from decides what several marks in one column mean.
public enum BallotMedium: String, Codable, Sendable {
    /// Phone: one choice per column, so two marks are a malformed request.
    case electronic
    /// Paper: two or more ○ in one column void that column only (废票栏).
    case paper
}

/// What one validated ballot says for one cell. A cell absent from the ballot is an abstention (弃权).
public enum CellMark: Hashable, Sendable {
    case grade(Grade)
    /// Several marks on paper: void for this column only.
    case void
}

/// What a cell contributes to the count.
public enum CellOutcome: Hashable, Sendable {
    case grade(Grade)
    case abstention
    case void
}

/// A validated ballot: the rater group comes from the voting code, never from the voter; no person, no time.
public struct CastBallot: Hashable, Sendable {
    public var raterGroup: String
    /// An unreadable paper sheet (废票): counted as returned, void in every column.
    public var isVoid: Bool
    public var marks: [CellKey: CellMark]

    public init(raterGroup: String, marks: [CellKey: CellMark], isVoid: Bool = false) {
        self.raterGroup = raterGroup
        self.marks = isVoid ? [:] : marks
        self.isVoid = isVoid
    }

    public static func void(raterGroup: String) -> CastBallot {
        CastBallot(raterGroup: raterGroup, marks: [:], isVoid: true)
    }

    public func outcome(at key: CellKey) -> CellOutcome {
        if isVoid { return .void }
        switch marks[key] {
        case .grade(let grade): return .grade(grade)
        case .void: return .void
        case nil: return .abstention
        }
    }
}

/// Why a ballot was refused as a whole. Nothing of a refused ballot is stored.
public enum BallotRejection: Error, Hashable, Sendable {
    case unknownReportee(String)
    case unknownForm(String)
    case unknownColumn(form: String, column: String)
    case unknownGrade(String)
    case multipleMarks(CellKey)
    case tooManyMarks(limit: Int)
    case wrongColumnCount(form: String, expected: Int)

    /// The reason in Chinese, for the voter's screen and the API error body.
    public var message: String {
        switch self {
        case .unknownReportee(let id): "述职对象不存在：\(id)"
        case .unknownForm(let id): "评议表不存在：\(id)"
        case .unknownColumn(let form, let column): "评议表 \(form) 没有栏目：\(column)"
        case .unknownGrade(let grade): "等次无效：\(grade)（只能是 好、较好、一般、差）"
        case .multipleMarks(let key): "同一栏目只能选一项：\(key.reportee) / \(key.form) / \(key.column)"
        case .tooManyMarks(let limit): "选项数量超过上限 \(limit)"
        case .wrongColumnCount(let form, let expected): "评议表 \(form) 应有 \(expected) 个栏目"
        }
    }
}

/// The shape of every ballot of a campaign: each reportee is rated on each form.
public struct BallotSpec: Sendable, Hashable {
    public var reportees: [String]
    public var forms: [FormTemplate]

    public init(reportees: [String], forms: [FormTemplate]) {
        self.reportees = reportees
        self.forms = forms
    }

    /// Every cell of a complete ballot, in campaign order.
    public var cells: [CellKey] {
        reportees.flatMap { reportee in
            forms.flatMap { form in
                form.columns.map { CellKey(reportee: reportee, form: form.id, column: $0.id) }
            }
        }
    }

    public var cellCount: Int { reportees.count * forms.reduce(0) { $0 + $1.columns.count } }

    /// Validates raw marks into a ballot, or refuses the whole ballot with the first precise reason.
    public func validate(
        _ raw: [RawMark], raterGroup: String, medium: BallotMedium
    ) throws(BallotRejection) -> CastBallot {
        // A paper sheet holds at most four marks per cell; anything beyond is not a ballot.
        let limit = cellCount * Grade.allCases.count
        guard raw.count <= limit else { throw .tooManyMarks(limit: limit) }
        let knownReportees = Set(reportees)
        let formsByID = Dictionary(forms.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var seen: [CellKey: Set<Grade>] = [:]
        for mark in raw {
            guard knownReportees.contains(mark.reportee) else { throw .unknownReportee(mark.reportee) }
            guard let form = formsByID[mark.form] else { throw .unknownForm(mark.form) }
            guard form.column(mark.column) != nil else { throw .unknownColumn(form: mark.form, column: mark.column) }
            guard let grade = Grade(code: mark.grade) else { throw .unknownGrade(mark.grade) }
            let key = CellKey(reportee: mark.reportee, form: mark.form, column: mark.column)
            if medium == .electronic, seen[key] != nil { throw .multipleMarks(key) }
            seen[key, default: []].insert(grade)
        }
        let marks = seen.mapValues { grades -> CellMark in
            grades.count == 1 ? .grade(grades.first!) : .void
        }
        return CastBallot(raterGroup: raterGroup, marks: marks)
    }
}
