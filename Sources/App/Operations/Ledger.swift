import Fluent
import Foundation
import PingyiCore
import SQLKit

/// 整改台账: the writes on rectification items. Each opens its own write transaction and records what happened (the
/// item's history, and the audit log for creating and editing). The rules are PingyiCore's: the state machine
/// (`apply`) and the separation of duties (`LedgerRules`).
enum Ledger {
    /// 下发: a new item with the six parts, 已下发.
    static func create(_ request: RectificationItemRequest, by actor: Actor, on db: any Database) async throws -> RectificationItem {
        let item = RectificationItem()
        item.state = .issued
        item.evidenceCount = 0
        item.reopenCount = 0
        item.createdBy = actor.user.displayName
        try await fill(item, from: request, creating: true, actor: actor, on: db)
        try await db.writeTransaction { db in
            try await item.save(on: db)
            try await RectificationEvent(itemID: item.requireID(), at: Date(), actor: actor, action: "create", from: nil, to: .issued,
                                         note: "下发整改：\(item.problem.prefix(60))").save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: item.campaignID, action: "rectification.create",
                                  summary: "下发整改事项：\(item.responsibleUnit) \(item.responsiblePerson)", after: auditView(item))
        }
        return item
    }

    /// Edits the six parts while the item is open. Admins only; the state changes only through `apply`.
    static func edit(_ item: RectificationItem, as role: RectificationRole, with request: RectificationItemRequest, by actor: Actor,
                     on db: any Database) async throws -> RectificationItem {
        let movesDeadline = request.deadline.map { CalendarDay.endOfDay($0) != item.deadline } ?? false
        let changesOwner = request.ownerUserID.map { $0 != item.ownerUserID } ?? false
        try LedgerRules.checkEdit(item.state, by: role, movesDeadline: movesDeadline, changesOwner: changesOwner)
        if changesOwner, let previous = item.ownerUserID { item.formerOwnerIDs = Array(Set(item.formerOwnerIDs + [previous])) }
        let before = auditView(item)
        try await fill(item, from: request, creating: false, actor: actor, on: db)
        try await db.writeTransaction { db in
            try await item.save(on: db)
            try await RectificationEvent(itemID: item.requireID(), at: Date(), actor: actor, action: "edit", from: nil, to: nil,
                                         note: "修改台账内容").save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: item.campaignID, action: "rectification.edit",
                                  summary: "修改整改事项：\(item.responsibleUnit) \(item.responsiblePerson)", before: before, after: auditView(item))
        }
        return item
    }

    /// One step of the state machine: 签收, 报送进展, 申请销号, 同意销号, 驳回, 申请延期, 同意/不同意延期, 回头看.
    static func apply(_ request: RectificationActionRequest, to item: RectificationItem, as role: RectificationRole, by actor: Actor,
                      on db: any Database) async throws -> RectificationItem {
        guard let action = RectificationAction(rawValue: request.action) else {
            throw APIError(.unprocessableEntity, "invalid", "未知的操作：\(request.action.prefix(40))")
        }
        let note = try optionalText(request.note, "说明", max: 2000)
        var deadline: Date?
        if let text = request.deadline {
            guard let day = CalendarDay.endOfDay(text) else { throw APIError(.unprocessableEntity, "invalid", "完成时限格式应为 2026-12-31") }
            deadline = day
        }
        let before = item.status
        let after = try PingyiCore.apply(action, to: before, by: role, input: RectificationInput(note: note, deadline: deadline))
        let record = LedgerRules.eventNote(action, note: note, requested: deadline, after: after)
        let itemID = try item.requireID()
        try await db.writeTransaction { db in
            try await claim(itemID, expecting: before, on: db)
            item.status = after
            if after.state == .closed, before.state != .closed { item.closedAt = Date() }
            if after.state != .closed { item.closedAt = nil }
            try await item.save(on: db)
            try await RectificationEvent(itemID: itemID, at: Date(), actor: actor, action: action.rawValue,
                                         from: before.state, to: after.state, note: record).save(on: db)
        }
        return item
    }

    /// 佐证材料: a checked file (`ReportFile`), counted on the item in the same transaction; only while the item is open.
    static func addEvidence(_ data: Data, as file: ReportFile.Checked, to item: RectificationItem, by actor: Actor,
                            on db: any Database) async throws -> RectificationEvidence {
        try LedgerRules.checkEvidence(item.state)
        let evidence = RectificationEvidence()
        evidence.$item.id = try item.requireID()
        evidence.store(data, as: file)
        evidence.uploadedBy = actor.user.displayName
        evidence.uploadedAt = Date()
        let itemID = try item.requireID()
        try await db.writeTransaction { db in
            let sql = db as! any SQLDatabase
            let counted = try await sql.raw("""
                UPDATE "rectification_items" SET "evidence_count" = "evidence_count" + 1
                WHERE "id" = \(bind: itemID) AND "state" <> \(bind: RectificationState.closed.rawValue) RETURNING "evidence_count"
                """).first()
            guard counted != nil else { throw LedgerRuleError.closedForEvidence }
            try await evidence.save(on: db)
            try await RectificationEvent(itemID: itemID, at: Date(), actor: actor, action: "evidence", from: nil, to: nil,
                                         note: "上传佐证材料《\(file.fileName)》（\(data.count) 字节，SHA-256 \(file.sha256.prefix(16))…）").save(on: db)
        }
        return evidence
    }

    /// Copies the request into the item, checking every part; on create the six parts are required.
    private static func fill(_ item: RectificationItem, from request: RectificationItemRequest, creating: Bool, actor: Actor,
                             on db: any Database) async throws {
        var body = request
        // 责任单位 picked from the org tree: each in the writer's scope; the names become the 责任单位 text.
        if let picked = body.responsibleUnitIDs {
            let ids = try LedgerRules.pickedUnits(picked)
            var names: [String] = []
            for id in ids {
                guard actor.scope.contains(id), let unit = try await OrgUnit.find(id, on: db) else { throw APIError.notFound("责任单位") }
                names.append(unit.name)
            }
            item.responsibleUnitIDs = ids
            if !ids.isEmpty { body.responsibleUnit = LedgerRules.responsibleUnitText(names) }
        }
        func text(_ value: String?, _ label: String, max: Int, required: Bool) throws -> String? {
            guard let value else {
                if creating, required { throw APIError(.unprocessableEntity, "invalid", "\(label)不能为空") }
                return creating ? "" : nil
            }
            return required ? try requireText(value, label, max: max) : try optionalText(value, label, max: max)
        }
        if let source = body.source {
            guard let parsed = RectificationSource(rawValue: source) else {
                throw APIError(.unprocessableEntity, "invalid", "问题来源只能是：" + RectificationSource.allCases.map(\.label).joined(separator: "、"))
            }
            item.source = parsed
        } else if creating {
            throw APIError(.unprocessableEntity, "invalid", "问题来源不能为空")
        }
        if let v = try text(body.category, "问题类别", max: 50, required: false) { item.category = v }
        if let v = try text(body.problem, "问题表现", max: 2000, required: true) { item.problem = v }
        if let v = try text(body.plan, "整改目标与措施", max: 4000, required: true) { item.plan = v }
        if let v = try text(body.linkedLeader, "挂钩领导", max: 50, required: true) { item.linkedLeader = v }
        if let v = try text(body.responsibleUnit, "责任单位", max: 100, required: true) { item.responsibleUnit = v }
        if let v = try text(body.responsiblePerson, "责任人", max: 50, required: true) { item.responsiblePerson = v }
        if let v = try text(body.feedback, "整改成果反馈", max: 4000, required: false) { item.feedback = v }
        if let publish = body.publishWhenClosed { item.publishWhenClosed = publish } else if creating { item.publishWhenClosed = true }
        if let text = body.deadline {
            guard let day = CalendarDay.endOfDay(text) else { throw APIError(.unprocessableEntity, "invalid", "完成时限格式应为 2026-12-31") }
            if creating { try LedgerRules.checkNewDeadline(day, at: Date()) }
            item.deadline = day
        } else if creating {
            throw APIError(.unprocessableEntity, "invalid", "完成时限不能为空")
        }
        if creating {
            if let campaignID = body.campaignID {
                let campaign = try await findCampaign(campaignID.uuidString, for: actor, .manage, on: db)
                item.campaignID = campaign.id
                if let reporteeID = body.reporteeID {
                    _ = try await findChild(Reportee.self, reporteeID.uuidString, in: campaign, "述职对象", on: db)
                    item.reporteeID = reporteeID
                }
                item.orgUnitID = body.orgUnitID ?? campaign.$orgUnit.id
            } else {
                guard body.reporteeID == nil else { throw APIError(.unprocessableEntity, "invalid", "指定述职对象时须同时指定评议活动") }
                guard let unit = body.orgUnitID ?? actor.user.$orgUnit.id else { throw APIError(.unprocessableEntity, "invalid", "请选择责任单位所属组织") }
                item.orgUnitID = unit
            }
        } else if let unit = body.orgUnitID {
            item.orgUnitID = unit
        }
        guard actor.scope.contains(item.orgUnitID), try await OrgUnit.find(item.orgUnitID, on: db) != nil else { throw APIError.notFound("组织") }
        if let ownerID = body.ownerUserID {
            guard let owner = try await User.find(ownerID, on: db) else { throw APIError.notFound("责任人账号") }
            // The secretary's own account (linked to the reportee), or an account in the admin's scope.
            var allowed = owner.$orgUnit.id.map(actor.scope.contains) ?? actor.isSystemAdmin
            if let reporteeID = item.reporteeID, let reportee = try await Reportee.find(reporteeID, on: db), reportee.$user.id == ownerID {
                allowed = true
            }
            guard allowed else { throw APIError.notFound("责任人账号") }
            item.ownerUserID = ownerID
        }
    }

    /// Takes the row for this change: on PostgreSQL the conditional UPDATE locks it, and a concurrent change that got
    /// there first makes the condition false, so two approvals (or a close and an upload) can never both pass.
    private static func claim(_ itemID: UUID, expecting status: RectificationStatus, on db: any Database) async throws {
        guard try await claimRow("""
            UPDATE "rectification_items" SET "reopen_count" = "reopen_count"
            WHERE "id" = \(bind: itemID) AND "state" = \(bind: status.state.rawValue) AND "evidence_count" = \(bind: status.evidenceCount)
            AND "reopen_count" = \(bind: status.reopenCount) AND ("pending_extension" IS NULL) = \(bind: status.pendingExtension == nil)
            """, on: db) else { throw APIError.conflict("该问题刚被他人更新，请刷新后重试") }
    }

    private static func auditView(_ item: RectificationItem) -> [String: String] {
        [
            "source": item.source.label, "category": item.category, "problem": item.problem, "plan": item.plan,
            "linkedLeader": item.linkedLeader, "responsibleUnit": item.responsibleUnit, "responsiblePerson": item.responsiblePerson,
            "deadline": CalendarDay.day(item.deadline), "feedback": item.feedback,
        ]
    }
}
