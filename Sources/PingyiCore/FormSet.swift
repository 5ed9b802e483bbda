import Foundation

/// 评议表的编号规则: a campaign has 1 to 10 forms of 1 to 12 columns; ids are ASCII letters, digits and `_` (at most 40);
/// a form without an id gets `formN`, a new item column `itemN` that clashes with no id the client sent, so kept
/// ids keep their meaning; the 总体评价 column is always `overall`. Names are trimmed entered text.
public enum FormSet {
    public static let formCounts = 1...10
    public static let columnCounts = 1...12
    public static let maxIDLength = 40
    public static let maxNameLength = 50

    /// A form as submitted.
    public struct Input: Sendable, Hashable {
        public var id: String?
        public var name: String
        public var columns: [Column]

        public init(id: String?, name: String, columns: [Column]) {
            self.id = id
            self.name = name
            self.columns = columns
        }

        public struct Column: Sendable, Hashable {
            public var id: String?
            public var name: String
            /// `overall` or `item`.
            public var kind: String

            public init(id: String?, name: String, kind: String) {
                self.id = id
                self.name = name
                self.kind = kind
            }
        }
    }

    /// Checks and completes submitted forms: ids assigned where missing, names trimmed, one 总体评价 per form.
    public static func normalized(_ inputs: [Input]) throws(FormSetError) -> [FormTemplate] {
        guard formCounts.contains(inputs.count) else { throw .formCount }
        var usedIDs = Set(inputs.compactMap(\.id).filter { !$0.isEmpty })
        var forms: [FormTemplate] = []
        for (offset, input) in inputs.enumerated() {
            let label = "第 \(offset + 1) 张评议表"
            var id = (input.id ?? "").trimmingCharacters(in: .whitespaces)
            guard id.count <= maxIDLength, id.allSatisfy(isIDCharacter) else { throw .formID(label) }
            if id.isEmpty {
                var n = offset + 1
                while usedIDs.contains("form\(n)") { n += 1 }
                id = "form\(n)"
                usedIDs.insert(id)
            }
            guard columnCounts.contains(input.columns.count) else { throw .columnCount(label) }
            // New columns get `itemN` ids that clash with no id the client sent, so kept ids keep their meaning.
            let sentIDs = Set(input.columns.compactMap { $0.id?.trimmingCharacters(in: .whitespaces) })
            var taken = Set<String>()
            var columns: [FormColumn] = []
            for column in input.columns {
                guard let kind = FormColumn.Kind(rawValue: column.kind) else { throw .columnKind(label) }
                let columnName = try Self.name(column.name, "\(label)的栏目名称")
                if kind == .overall {
                    columns.append(FormColumn(id: FormTemplate.overallColumnID, name: columnName, kind: .overall))
                    continue
                }
                var columnID = (column.id ?? "").trimmingCharacters(in: .whitespaces)
                if !isItemColumnID(columnID) || taken.contains(columnID) {
                    var n = 1
                    while taken.contains("item\(n)") || sentIDs.contains("item\(n)") { n += 1 }
                    columnID = "item\(n)"
                }
                taken.insert(columnID)
                columns.append(FormColumn(id: columnID, name: columnName, kind: .item))
            }
            let form = FormTemplate(id: id, name: try Self.name(input.name, "\(label)的名称"), columns: columns)
            do {
                try form.validate()
            } catch {
                throw .rules(error)
            }
            forms.append(form)
        }
        guard Set(forms.map(\.id)).count == forms.count else { throw .duplicateFormID }
        return forms
    }

    static func isIDCharacter(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || c == "_") }

    /// An id an item column may keep: not empty, not too long, not `overall`, only id characters.
    static func isItemColumnID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= maxIDLength && id != FormTemplate.overallColumnID && id.allSatisfy(isIDCharacter)
    }

    /// A required name: trimmed, not empty, at most 50 characters, nothing `EnteredText` refuses.
    static func name(_ raw: String, _ label: String) throws(FormSetError) -> String {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.count <= maxNameLength else { throw .nameTooLong(label, maxNameLength) }
        if let problem = EnteredText.problem(trimmed) { throw .nameRefused(label, problem) }
        guard !trimmed.isEmpty else { throw .nameMissing(label) }
        return trimmed
    }
}

public enum FormSetError: Error, Hashable, Sendable {
    case formCount
    /// The form's id has other characters than letters, digits and `_`, or is too long.
    case formID(String)
    case columnCount(String)
    case columnKind(String)
    case nameMissing(String)
    case nameTooLong(String, Int)
    case nameRefused(String, EnteredText.Problem)
    case duplicateFormID
    /// The completed form breaks a form rule (one 总体评价, distinct column ids).
    case rules(RulesError)

    public var message: String {
        switch self {
        case .formCount: "评议表应有 1 到 10 张"
        case .formID(let label): "\(label)的编号只能由字母、数字和下划线组成"
        case .columnCount(let label): "\(label)应有 1 到 12 个栏目"
        case .columnKind(let label): "\(label)的栏目类型只能是 overall 或 item"
        case .nameMissing(let label): "\(label)不能为空"
        case .nameTooLong(let label, let max): "\(label)不能超过 \(max) 个字"
        case .nameRefused(let label, let problem): "\(label)\(problem.message)"
        case .duplicateFormID: "评议表编号重复"
        case .rules(let error): error.message
        }
    }
}
