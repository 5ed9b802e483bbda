import Foundation

/// One problem found in an import file. Line 0 means the file as a whole.
public struct ImportIssue: Hashable, Sendable, Codable {
    public var line: Int
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    /// "第 3 行：…" as the clerk reads it.
    public var text: String { line > 0 ? "第 \(line) 行：\(message)" : message }
}

/// An import that imports nothing, with every problem found.
public struct ImportFailure: Error, Hashable, Sendable {
    public var issues: [ImportIssue]
    public init(_ issues: [ImportIssue]) { self.issues = issues }
}

/// A sheet of text cells with a header row naming the columns (in any order).
public struct ImportTable: Sendable {
    /// Columns of an office's own tables that carry nothing to import (every import reads past them).
    public static let ignoredHeaders: Set<String> = ["序号", "编号", "备注"]
    public var header: [String]
    public var rows: [CSVRecord]

    /// Takes the first non-blank record as the header; drops blank rows.
    public init(records: [CSVRecord]) throws(ImportFailure) {
        let nonBlank = records.filter { !$0.isBlank }
        guard let first = nonBlank.first else { throw ImportFailure([ImportIssue(line: 0, message: "文件是空的")]) }
        header = first.fields.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        rows = Array(nonBlank.dropFirst())
        guard !rows.isEmpty else { throw ImportFailure([ImportIssue(line: 0, message: "文件只有表头，没有数据")]) }
    }

    /// Column indexes for the given names; every required one must be present, unknown columns are refused so that a
    /// misspelt header is not silently ignored. `aliases` maps an office's own header to the column it means
    /// (组织名称 → 名称); `ignored` columns (序号, 备注) are read past.
    func columns(required: [String], optional: [String], aliases: [String: String] = [:],
                 ignored: Set<String> = []) throws(ImportFailure) -> [String: Int] {
        var issues: [ImportIssue] = []
        var index: [String: Int] = [:]
        for (offset, heading) in header.enumerated() where !heading.isEmpty && !ignored.contains(heading) {
            let name = aliases[heading] ?? heading
            if index[name] != nil {
                issues.append(ImportIssue(line: 0, message: name == heading ? "表头“\(name)”重复" : "表头“\(heading)”与“\(name)”是同一列，重复"))
            } else if required.contains(name) || optional.contains(name) {
                index[name] = offset
            } else {
                issues.append(ImportIssue(line: 0, message: "无法识别的列“\(heading)”，可用的列：\((required + optional).joined(separator: "、"))"))
            }
        }
        for name in required where index[name] == nil {
            issues.append(ImportIssue(line: 0, message: "缺少必填列“\(name)”"))
        }
        if !issues.isEmpty { throw ImportFailure(issues) }
        return index
    }

    /// Cells carrying what `EnteredText` refuses (control or direction characters, a name with nothing visible).
    func textIssues(_ row: CSVRecord) -> [String] {
        row.fields.enumerated().compactMap { offset, field in
            let text = field.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let problem = EnteredText.problem(text) else { return nil }
            let column = offset < header.count && !header[offset].isEmpty ? header[offset] : "第 \(offset + 1) 列"
            return "“\(column)”\(problem.message)"
        }
    }

    static func cell(_ row: CSVRecord, _ column: Int?) -> String {
        guard let column, column < row.fields.count else { return "" }
        return row.fields[column].trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A row of an org-tree import: 名称, 上级组织, 类型, 领域, 书记.
public struct OrgImportRow: Hashable, Sendable {
    public var line: Int
    public var name: String
    /// Empty: directly under the unit the file is imported into.
    public var parentName: String
    public var kind: String
    public var domain: OrgDomain
    public var secretary: String
}

public enum OrgImport {
    public static let columns = ["名称", "上级组织", "类型", "领域", "书记"]
    /// The headers an organisation department's own tables use, each read as the column it means.
    public static let headerAliases: [String: String] = [
        "组织名称": "名称", "党组织名称": "名称", "党组织全称": "名称", "单位名称": "名称",
        "上级党组织": "上级组织", "上级组织名称": "上级组织", "上级党组织名称": "上级组织", "上级单位": "上级组织",
        "组织类型": "类型", "党组织类型": "类型", "组织类别": "类型", "党组织类别": "类型",
        "所属领域": "领域", "行业领域": "领域", "领域类别": "领域",
        "书记姓名": "书记", "党组织书记": "书记",
    ]
    /// Columns of such tables that carry nothing to import.
    public static let ignoredHeaders = ImportTable.ignoredHeaders
    static let maxNameLength = 100
    /// Units one file may create (a district's whole tree is a few thousand); above it the file is refused whole.
    public static let maxRows = 10_000

    /// Validates every row; `existingNames` are units already in scope that rows may name as parent.
    /// Parents may come later in the file. A name used as a parent must be unique among file and existing units.
    public static func parse(_ records: [CSVRecord], existingNames: [String]) -> Result<[OrgImportRow], ImportFailure> {
        do {
            let table = try ImportTable(records: records)
            guard table.rows.count <= maxRows else {
                return .failure(ImportFailure([ImportIssue(line: 0, message: "一次最多导入 \(maxRows) 个组织，文件有 \(table.rows.count) 行：请分成几个文件导入")]))
            }
            let index = try table.columns(required: ["名称", "类型", "领域"], optional: ["上级组织", "书记"],
                                          aliases: headerAliases, ignored: ignoredHeaders)
            var issues: [ImportIssue] = []
            var rows: [OrgImportRow] = []
            for record in table.rows {
                let name = ImportTable.cell(record, index["名称"])
                let kind = ImportTable.cell(record, index["类型"])
                let domainText = ImportTable.cell(record, index["领域"])
                var rowIssues: [String] = []
                if name.isEmpty { rowIssues.append("名称不能为空") }
                if name.count > maxNameLength { rowIssues.append("名称超过 \(maxNameLength) 个字") }
                if !OrgKind.all.contains(kind) { rowIssues.append("类型“\(kind)”无效，应为：\(OrgKind.all.joined(separator: "、"))") }
                let domain = OrgDomain(code: domainText)
                if domain == nil {
                    rowIssues.append("领域“\(domainText)”无效，应为：\(OrgDomain.allCases.map(\.label).joined(separator: "、"))")
                }
                if record.fields.count > table.header.count { rowIssues.append("列数多于表头") }
                rowIssues += table.textIssues(record)
                issues += rowIssues.map { ImportIssue(line: record.line, message: $0) }
                if rowIssues.isEmpty, let domain {
                    rows.append(OrgImportRow(line: record.line, name: name, parentName: ImportTable.cell(record, index["上级组织"]),
                                             kind: kind, domain: domain, secretary: ImportTable.cell(record, index["书记"])))
                }
            }
            // Counted once, looked up per row: a file of thousands of rows stays linear.
            var nameCounts: [String: Int] = [:]
            for row in rows { nameCounts[row.name, default: 0] += 1 }
            for name in existingNames { nameCounts[name, default: 0] += 1 }
            let existing = Set(existingNames)
            var seen: [String: Int] = [:]
            for row in rows {
                if let first = seen[row.name] {
                    issues.append(ImportIssue(line: row.line, message: "名称“\(row.name)”与第 \(first) 行重复"))
                } else {
                    seen[row.name] = row.line
                }
                if existing.contains(row.name) {
                    issues.append(ImportIssue(line: row.line, message: "名称“\(row.name)”已存在"))
                }
                guard !row.parentName.isEmpty else { continue }
                let matches = nameCounts[row.parentName, default: 0]
                if row.parentName == row.name {
                    issues.append(ImportIssue(line: row.line, message: "上级组织不能是自己"))
                } else if matches == 0 {
                    issues.append(ImportIssue(line: row.line, message: "上级组织“\(row.parentName)”不存在"))
                } else if matches > 1 {
                    issues.append(ImportIssue(line: row.line, message: "上级组织“\(row.parentName)”不唯一"))
                }
            }
            if issues.isEmpty, let cycle = firstCycle(rows) {
                issues.append(ImportIssue(line: cycle, message: "上级组织形成了循环"))
            }
            return issues.isEmpty ? .success(ordered(rows)) : .failure(ImportFailure(issues.sorted { $0.line < $1.line }))
        } catch {
            return .failure(error)
        }
    }

    /// Parents before children, otherwise file order: the rows by their depth below the file's roots (rows in a
    /// cycle last). Linear, so thousands of rows take no time.
    static func ordered(_ rows: [OrgImportRow]) -> [OrgImportRow] {
        let inFile = Set(rows.map(\.name))
        var children: [String: [Int]] = [:]
        var depth = [Int](repeating: Int.max, count: rows.count)
        var queue: [Int] = []
        for (offset, row) in rows.enumerated() {
            if row.parentName.isEmpty || !inFile.contains(row.parentName) {
                depth[offset] = 0
                queue.append(offset)
            } else {
                children[row.parentName, default: []].append(offset)
            }
        }
        var next = 0
        while next < queue.count {
            let current = queue[next]
            next += 1
            for child in children[rows[current].name] ?? [] where depth[child] == Int.max {
                depth[child] = depth[current] + 1
                queue.append(child)
            }
        }
        return rows.indices.sorted { (depth[$0], $0) < (depth[$1], $1) }.map { rows[$0] }
    }

    static func firstCycle(_ rows: [OrgImportRow]) -> Int? {
        let parent = Dictionary(rows.map { ($0.name, $0.parentName) }, uniquingKeysWith: { a, _ in a })
        for row in rows {
            var seen: Set<String> = [row.name]
            var current = row.parentName
            while let next = parent[current] {
                if !seen.insert(current).inserted { return row.line }
                current = next
            }
        }
        return nil
    }
}

/// A row of a participant import: 姓名, 单位, 身份 (出席/列席/指导), 评议人类别.
public struct ParticipantImportRow: Hashable, Sendable {
    public var line: Int
    public var name: String
    public var unit: String
    public var role: ParticipantRole
    /// Required for 出席, empty otherwise.
    public var raterGroup: String
}

public enum ParticipantImport {
    public static let columns = ["姓名", "单位", "身份", "评议人类别"]
    /// An office's own headers for these columns.
    public static let headerAliases: [String: String] = [
        "工作单位": "单位", "所在单位": "单位", "单位名称": "单位",
        "参会身份": "身份", "参会类别": "身份", "评议人类型": "评议人类别", "评议类别": "评议人类别",
    ]

    public static func parse(_ records: [CSVRecord], raterGroups: [String]) -> Result<[ParticipantImportRow], ImportFailure> {
        do {
            let table = try ImportTable(records: records)
            let index = try table.columns(required: ["姓名"], optional: ["单位", "身份", "评议人类别"], aliases: headerAliases,
                                          ignored: ImportTable.ignoredHeaders)
            var issues: [ImportIssue] = []
            var rows: [ParticipantImportRow] = []
            for record in table.rows {
                let name = ImportTable.cell(record, index["姓名"])
                let roleText = ImportTable.cell(record, index["身份"])
                let group = ImportTable.cell(record, index["评议人类别"])
                var rowIssues: [String] = []
                if name.isEmpty { rowIssues.append("姓名不能为空") }
                if name.count > 50 { rowIssues.append("姓名超过 50 个字") }
                let role = roleText.isEmpty ? ParticipantRole.attendee : ParticipantRole(code: roleText)
                if role == nil { rowIssues.append("身份“\(roleText)”无效，应为：出席、列席、指导") }
                if role == .attendee {
                    if group.isEmpty {
                        rowIssues.append("出席人员必须填写评议人类别")
                    } else if !raterGroups.contains(group) {
                        rowIssues.append("评议人类别“\(group)”不存在，应为：\(raterGroups.joined(separator: "、"))")
                    }
                } else if role != nil, !group.isEmpty {
                    rowIssues.append("\(role!.label)人员不参加评议，评议人类别应留空")
                }
                if record.fields.count > table.header.count { rowIssues.append("列数多于表头") }
                rowIssues += table.textIssues(record)
                issues += rowIssues.map { ImportIssue(line: record.line, message: $0) }
                if rowIssues.isEmpty, let role {
                    rows.append(ParticipantImportRow(line: record.line, name: name, unit: ImportTable.cell(record, index["单位"]),
                                                     role: role, raterGroup: group))
                }
            }
            return issues.isEmpty ? .success(rows) : .failure(ImportFailure(issues))
        } catch {
            return .failure(error)
        }
    }
}

/// One 述职对象 from a file.
public struct ReporteeImportRow: Hashable, Sendable {
    public var line: Int
    public var name: String
    public var unit: String
    public var title: String
    /// 会上述职 (true) or 书面述职.
    public var onsite: Bool
    /// 发言时限 in minutes for 会上述职; `nil` for the default.
    public var minutes: Double?
}

/// 述职对象名单: 姓名, 单位 (required), 职务, 述职方式 (会上 / 书面, default 会上), 时限（分钟） (1–60).
public enum ReporteeImport {
    public static let columns = ["姓名", "单位", "职务", "述职方式", "时限（分钟）"]
    /// An office's own headers for these columns.
    public static let headerAliases: [String: String] = [
        "工作单位": "单位", "所在单位": "单位", "单位名称": "单位", "党组织名称": "单位",
        "职位": "职务", "现任职务": "职务", "述职形式": "述职方式",
    ]

    public static func parse(_ records: [CSVRecord]) -> Result<[ReporteeImportRow], ImportFailure> {
        do {
            let table = try ImportTable(records: records)
            let index = try table.columns(required: ["姓名", "单位"], optional: ["职务", "述职方式", "时限（分钟）"],
                                          aliases: headerAliases, ignored: ImportTable.ignoredHeaders)
            var issues: [ImportIssue] = []
            var rows: [ReporteeImportRow] = []
            for record in table.rows {
                let name = ImportTable.cell(record, index["姓名"])
                let unit = ImportTable.cell(record, index["单位"])
                let title = ImportTable.cell(record, index["职务"])
                let modeText = ImportTable.cell(record, index["述职方式"])
                let minutesText = ImportTable.cell(record, index["时限（分钟）"])
                var rowIssues: [String] = []
                if name.isEmpty { rowIssues.append("姓名不能为空") }
                if name.count > 50 { rowIssues.append("姓名超过 50 个字") }
                if unit.isEmpty { rowIssues.append("单位不能为空") }
                if unit.count > 100 { rowIssues.append("单位超过 100 个字") }
                if title.count > 50 { rowIssues.append("职务超过 50 个字") }
                let onsite: Bool? = switch modeText {
                case "", "会上", "会上述职", "现场", "现场述职": true
                case "书面", "书面述职": false
                default: nil
                }
                if onsite == nil { rowIssues.append("述职方式“\(modeText)”无效，应为：会上述职、书面述职") }
                var minutes: Double?
                if !minutesText.isEmpty {
                    if let value = Double(minutesText), value.isFinite, (1...60).contains(value) {
                        minutes = value
                    } else {
                        rowIssues.append("时限“\(minutesText)”无效，应为 1 到 60 分钟")
                    }
                }
                if record.fields.count > table.header.count { rowIssues.append("列数多于表头") }
                rowIssues += table.textIssues(record)
                issues += rowIssues.map { ImportIssue(line: record.line, message: $0) }
                if rowIssues.isEmpty, let onsite {
                    rows.append(ReporteeImportRow(line: record.line, name: name, unit: unit, title: title, onsite: onsite, minutes: minutes))
                }
            }
            return issues.isEmpty ? .success(rows) : .failure(ImportFailure(issues))
        } catch {
            return .failure(error)
        }
    }
}
