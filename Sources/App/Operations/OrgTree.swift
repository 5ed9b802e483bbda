import Fluent
import PingyiCore
import Vapor

/// 组织树 (区 → 镇/部门 → 社区/村): creating, editing, moving, deleting and importing units. Admins change only
/// their own subtree; only a system admin creates a top-level unit. Each operation opens its own write transaction
/// and writes its audit entry.
enum OrgTree {
    static func createUnit(_ body: OrgUnitCreateRequest, by actor: Actor, on db: any Database) async throws -> OrgUnit {
        let unit = OrgUnit(parentID: body.parentID, name: try requireText(body.name, "组织名称", max: 100),
                           kind: try parseKind(body.kind), domain: try parseDomain(body.domain),
                           secretaryName: try optionalText(body.secretaryName, "书记姓名", max: 50), position: 0)
        try await db.writeTransaction { db in
            try await checkParent(body.parentID, actor: actor, on: db)
            unit.position = try await OrgUnit.query(on: db).filter(\.$parent.$id == body.parentID).count() + 1
            try await unit.save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: nil, action: "org.create",
                                  summary: "新建组织 \(unit.name)", after: try OrgUnitDTO(unit))
        }
        return unit
    }

    /// Edits a unit; a new parent moves it (never under itself or its descendants, never the actor's own root).
    static func updateUnit(_ unit: OrgUnit, with body: OrgUnitUpdateRequest, by actor: Actor, on db: any Database) async throws {
        let before = try OrgUnitDTO(unit)
        if let name = body.name { unit.name = try requireText(name, "组织名称", max: 100) }
        if let kind = body.kind { unit.kind = try parseKind(kind) }
        if let domain = body.domain { unit.domain = try parseDomain(domain) }
        if let secretary = body.secretaryName { unit.secretaryName = try optionalText(secretary, "书记姓名", max: 50) }
        try await db.writeTransaction { db in
            if let parentID = body.parentID, parentID != unit.$parent.id {
                try await move(unit, under: parentID, actor: actor, on: db)
            }
            try await unit.save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: nil, action: "org.update",
                                  summary: "修改组织 \(unit.name)", before: before, after: try OrgUnitDTO(unit))
        }
    }

    /// Deletes a unit nothing uses (no child unit, campaign, account or ledger item); reportees linked to it keep
    /// their unit name and lose the link.
    static func deleteUnit(_ unit: OrgUnit, by actor: Actor, on db: any Database) async throws {
        let id = try unit.requireID()
        guard id != actor.user.$orgUnit.id else { throw APIError.conflict("不能删除自己所属的组织") }
        try await db.writeTransaction { db in
            if try await OrgUnit.query(on: db).filter(\.$parent.$id == id).count() > 0 {
                throw APIError.conflict("该组织下还有下级组织，不能删除")
            }
            if try await Campaign.query(on: db).filter(\.$orgUnit.$id == id).count() > 0 {
                throw APIError.conflict("该组织有评议活动，不能删除")
            }
            if try await User.query(on: db).filter(\.$orgUnit.$id == id).count() > 0 {
                throw APIError.conflict("该组织下还有账号，不能删除")
            }
            if try await RectificationItem.query(on: db).filter(\.$orgUnitID == id).count() > 0 {
                throw APIError.conflict("该组织有整改台账事项，不能删除")
            }
            try await Reportee.query(on: db).filter(\.$orgUnit.$id == id).set(\.$orgUnit.$id, to: nil).update()
            try await unit.delete(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: nil, action: "org.delete",
                                  summary: "删除组织 \(unit.name)", before: try OrgUnitDTO(unit))
        }
    }

    /// Imports a CSV or XLSX of units under `parent` (or the actor's own unit; a system admin without one imports at
    /// the top level, never silently under the demo's tree). All rows or none; answers how many were imported.
    static func importUnits(_ file: Data, under parent: UUID?, by actor: Actor, on db: any Database) async throws -> Int {
        let parentID = parent ?? actor.user.$orgUnit.id
        guard parentID != nil || actor.isSystemAdmin else {
            throw APIError(.unprocessableEntity, "invalid", "请指定导入到哪个上级组织（parent）")
        }
        // Read and checked before the write transaction, in linear time: a ballot never waits behind a big file.
        let scopeUnits = try await OrgUnit.query(on: db).all().filter { actor.scope.contains($0.id!) }
        let rows = try OrgImport.parse(try ImportFile.records(from: file), existingNames: scopeUnits.map(\.name)).get()
        let existingIDs = Dictionary(scopeUnits.map { ($0.name, $0.id!) }, uniquingKeysWith: { a, _ in a })
        let existingParents = Set(rows.compactMap { row -> UUID? in row.parentName.isEmpty ? parentID : existingIDs[row.parentName] })
        let idByName = existingIDs.merging(rows.map { ($0.name, UUID()) }, uniquingKeysWith: { _, new in new })
        return try await db.writeTransaction { db -> Int in
            try await checkParent(parentID, actor: actor, on: db)
            let newNames = rows.map(\.name)
            if let taken = try await OrgUnit.query(on: db).filter(\.$name ~~ newNames).first(), actor.scope.contains(taken.id!) {
                throw APIError.conflict("组织“\(taken.name)”刚刚已被创建，请重新导入")
            }
            // Positions per parent; `nil` is the top level.
            var positions: [UUID?: Int] = [:]
            for child in try await OrgUnit.query(on: db).filter(\.$parent.$id ~~ Array(existingParents)).all() {
                positions[child.$parent.id, default: 0] += 1
            }
            if parentID == nil { positions[nil] = try await OrgUnit.query(on: db).filter(\.$parent.$id == nil).count() }
            let units = rows.map { row in
                let parent = row.parentName.isEmpty ? parentID : idByName[row.parentName]!
                positions[parent, default: 0] += 1
                return OrgUnit(id: idByName[row.name], parentID: parent, name: row.name, kind: row.kind, domain: row.domain,
                               secretaryName: row.secretary, position: positions[parent]!)
            }
            for start in stride(from: 0, to: units.count, by: 500) {
                try await Array(units[start..<min(start + 500, units.count)]).create(on: db)
            }
            try await recordAudit(on: db, actor: actor, campaignID: nil, action: "org.import",
                                  summary: "导入组织 \(rows.count) 个", after: rows.map(\.name))
            return rows.count
        }
    }

    /// The unit `rawID` names, if in the actor's scope; else 404.
    static func unitInScope(_ rawID: String?, of actor: Actor, on db: any Database) async throws -> OrgUnit {
        guard let rawID, let id = UUID(uuidString: rawID), let unit = try await OrgUnit.find(id, on: db), actor.scope.contains(id) else {
            throw APIError.notFound("组织")
        }
        return unit
    }

    /// A new or moved unit goes under a unit in scope; only a system admin may create a top-level unit.
    static func checkParent(_ parentID: UUID?, actor: Actor, on db: any Database) async throws {
        guard let parentID else {
            guard actor.mayCreateTopLevelUnits else { throw APIError(.forbidden, "forbidden", "只有系统管理员可以创建顶级组织") }
            return
        }
        guard try await OrgUnit.find(parentID, on: db) != nil, actor.scope.contains(parentID) else {
            throw APIError.notFound("上级组织")
        }
    }

    /// Moves a unit; refuses to move it under itself or its own descendants, or the actor's own root.
    static func move(_ unit: OrgUnit, under parentID: UUID, actor: Actor, on db: any Database) async throws {
        let id = try unit.requireID()
        guard id != actor.user.$orgUnit.id else { throw APIError.conflict("不能移动自己所属的组织") }
        try await checkParent(parentID, actor: actor, on: db)
        guard !(try await subtree(of: id, on: db)).contains(parentID) else {
            throw APIError(.unprocessableEntity, "invalid", "不能把组织移动到它自己或它的下级组织之下")
        }
        unit.$parent.id = parentID
    }

    static func parseKind(_ raw: String) throws -> String {
        let kind = raw.trimmingCharacters(in: .whitespaces)
        guard OrgKind.all.contains(kind) else {
            throw APIError(.unprocessableEntity, "invalid", "组织类型应为：\(OrgKind.all.joined(separator: "、"))")
        }
        return kind
    }

    static func parseDomain(_ raw: String) throws -> OrgDomain {
        guard let domain = OrgDomain(code: raw) else {
            throw APIError(.unprocessableEntity, "invalid", "领域应为：\(OrgDomain.allCases.map(\.label).joined(separator: "、"))")
        }
        return domain
    }
}
