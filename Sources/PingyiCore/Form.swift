import Foundation

/// One rated column of a form: the overall rating (总体评价) or one item (单项评价).
public struct FormColumn: Codable, Sendable, Hashable, Identifiable {
    public enum Kind: String, Codable, Sendable, Hashable {
        /// 总体评价
        case overall
        /// 单项评价
        case item
    }

    public var id: String
    public var name: String
    public var kind: Kind

    public init(id: String, name: String, kind: Kind) {
        self.id = id
        self.name = name
        self.kind = kind
    }
}

/// 评议表: a form with exactly one overall column followed by item columns.
public struct FormTemplate: Codable, Sendable, Hashable, Identifiable {
    public static let overallColumnID = "overall"

    public var id: String
    public var name: String
    public var columns: [FormColumn]

    /// Builds a form whose first column is 总体评价 and the rest are the given items, ids `item1`, `item2`, ….
    public init(id: String, name: String, items: [String]) {
        self.id = id
        self.name = name
        self.columns = [FormColumn(id: Self.overallColumnID, name: "总体评价", kind: .overall)]
            + items.enumerated().map { FormColumn(id: "item\($0.offset + 1)", name: $0.element, kind: .item) }
    }

    public init(id: String, name: String, columns: [FormColumn]) {
        self.id = id
        self.name = name
        self.columns = columns
    }

    public var overallColumn: FormColumn? { columns.first { $0.kind == .overall } }
    public var itemColumns: [FormColumn] { columns.filter { $0.kind == .item } }

    public func column(_ id: String) -> FormColumn? { columns.first { $0.id == id } }

    public func validate() throws(RulesError) {
        guard !id.isEmpty, !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw .invalidForm(id, "表名不能为空") }
        guard columns.filter({ $0.kind == .overall }).count == 1 else { throw .invalidForm(id, "必须有且只有一个总体评价栏") }
        guard Set(columns.map(\.id)).count == columns.count else { throw .invalidForm(id, "栏目编号重复") }
        guard columns.allSatisfy({ !$0.name.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw .invalidForm(id, "栏目名称不能为空")
        }
    }
}

extension FormTemplate {
    /// 抓基层党建工作
    public static let partyBuilding = FormTemplate(
        id: "party_building", name: "抓基层党建工作",
        items: ["履行第一责任人职责", "基层组织建设", "党员队伍建设", "基层治理与服务", "上年度问题整改"])

    /// 履行党风廉政建设主体责任
    public static let integrity = FormTemplate(
        id: "integrity", name: "履行党风廉政建设主体责任",
        items: ["落实主体责任", "执行中央八项规定精神", "廉洁自律", "监督执纪问责", "上年度问题整改"])

    /// 落实意识形态工作责任制
    public static let ideology = FormTemplate(
        id: "ideology", name: "落实意识形态工作责任制",
        items: ["理论武装", "舆论引导", "阵地管理", "网络意识形态安全", "上年度问题整改"])

    /// The seed meeting's three forms, in the order the chair named them.
    public static let seedForms: [FormTemplate] = [.partyBuilding, .integrity, .ideology]
}
