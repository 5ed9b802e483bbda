import Fluent
import Foundation
import PingyiCore
import SQLKit
import Vapor

/// 整改台账: items with the six parts, their state machine (PingyiCore), history, evidence and views. Admins manage the
/// items of units in their scope; a responsible person (the item's owner account) sees and works on their own items
/// only. Anyone else gets 404, as for anything out of scope. Exports and reminders are in `RectificationController+…`.
struct RectificationController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes.apiV1()
        let ledger = api.grouped("rectification")
        ledger.get(use: list).requiring(.account)
        ledger.post(use: create).requiring(.admins)
        ledger.get("draft", use: draft).requiring(.account)
        ledger.get("dashboard", use: dashboard).requiring(.admins)
        // An item: the actor's role on it (`RectificationRole`) decides; no role on it answers 404.
        let item = ledger.grouped(":itemID")
        item.get(use: detail).requiring(.account)
        item.patch(use: update).requiring(.account)
        item.post("actions", use: act).requiring(.account)
        item.on(.POST, "evidence", body: .collect(maxSize: ByteCount(value: ReportFile.maxBytes + 1024)), use: uploadEvidence)
            .requiring(.account)
        item.get("evidence", ":evidenceID", use: downloadEvidence).requiring(.account)
        bootReminders(api, ledger)
        bootExports(api)
    }

    // MARK: Reading

    @Sendable
    func list(req: Request) async throws -> [RectificationItemDTO] {
        let actor = try await req.actor()
        let filter = try LedgerFilter(req)
        let items = try await visibleItems(for: actor, filter: filter, on: req.db)
        return try await itemDTOs(items, for: actor, on: req.db)
    }

    @Sendable
    func detail(req: Request) async throws -> RectificationDetailDTO {
        let actor = try await req.actor()
        let (item, _) = try await findItem(req, actor)
        return try await detailDTO(item, for: actor, on: req.db)
    }

    /// 看板: open, overdue, due within 7 days and closed items per unit, for the admin's scope.
    @Sendable
    func dashboard(req: Request) async throws -> [LedgerDashboardRowDTO] {
        let actor = try await req.actor()
        guard actor.isAdmin else { throw APIError.forbidden }
        let items = try await visibleItems(for: actor, filter: LedgerFilter(), on: req.db)
        let names = try await unitNames(on: req.db)
        let now = Date()
        var rows: [UUID: LedgerDashboardRowDTO] = [:]
        for item in items {
            var row = rows[item.orgUnitID] ?? LedgerDashboardRowDTO(orgUnitID: item.orgUnitID, orgUnitName: names[item.orgUnitID] ?? "",
                                                                  open: 0, overdue: 0, dueSoon: 0, closed: 0)
            if item.state.isOpen { row.open += 1 } else { row.closed += 1 }
            if item.status.isOverdue(at: now) { row.overdue += 1 }
            if item.status.isDueSoon(at: now) { row.dueSoon += 1 }
            rows[item.orgUnitID] = row
        }
        return rows.values.sorted { ($0.overdue, $0.open, $0.orgUnitName) > ($1.overdue, $1.open, $1.orgUnitName) }
    }

    /// A pre-filled item from a chair comment (`from=comment`) or a result sheet (`from=result`), for the create form.
    @Sendable
    func draft(req: Request) async throws -> RectificationItemRequest {
        let actor = try await req.actor()
        guard let from = req.query[String.self, at: "from"], ["comment", "result"].contains(from) else {
            throw APIError(.badRequest, "bad_request", "from 只能是 comment 或 result")
        }
        let campaign = try await findCampaign(req.query[String.self, at: "campaign"], for: actor, .manage, on: req.db)
        guard let raw = req.query[String.self, at: "reportee"], let reporteeID = UUID(uuidString: raw),
              let reportee = try await Reportee.find(reporteeID, on: req.db), reportee.$campaign.id == campaign.id else {
            throw APIError.notFound("述职对象")
        }
        var draft = RectificationItemRequest(
            orgUnitID: reportee.$orgUnit.id ?? campaign.$orgUnit.id, campaignID: campaign.id, reporteeID: reporteeID,
            source: nil, category: nil, problem: nil, plan: "", linkedLeader: "", responsibleUnit: reportee.unitName,
            responsiblePerson: reportee.name, ownerUserID: reportee.$user.id,
            deadline: CalendarDay.day(Date().addingTimeInterval(30 * 86_400)), feedback: "", publishWhenClosed: true)
        if from == "comment" {
            let speech = try await Speech.query(on: req.db).filter(\.$reportee.$id == reporteeID).first()
            guard let comment = speech?.comment?.trimmingCharacters(in: .whitespacesAndNewlines), !comment.isEmpty else {
                throw APIError.conflict("\(reportee.name)还没有主持人点评")
            }
            draft.source = RectificationSource.chairComment.rawValue
            draft.category = "述职点评"
            draft.problem = comment
        } else {
            let report = try await requireReport(campaign, on: req.db)
            guard let result = report.result(reporteeID.uuidString) else { throw APIError.notFound("述职对象的结果") }
            draft.source = RectificationSource.evaluationResult.rawValue
            draft.category = "民主评议"
            var lines = ["\(campaign.title)民主评议：综合得分 \(result.composite.map { String(format: "%.2f", $0) } ?? "—")，"
                         + "好评率 \(result.goodRate.map(ResultChart.percent) ?? "—")，评议等次 \(result.grade?.label ?? "—")。"]
            for form in result.forms {
                if let low = form.overall?.counts, let rate = low.lowRate, rate > 0 {
                    lines.append("「\(form.form.name)」一般和差占 \(ResultChart.percent(rate))。")
                }
            }
            lines += result.flags.map { $0.message + "。" }
            draft.problem = lines.joined()
        }
        return draft
    }

    // MARK: Changing

    @Sendable
    func create(req: Request) async throws -> Response {
        let actor = try await req.actor()
        guard actor.isAdmin else { throw APIError.forbidden }
        let body = try req.content.decode(RectificationItemRequest.self)
        let item = RectificationItem()
        item.state = .issued
        item.evidenceCount = 0
        item.reopenCount = 0
        item.createdBy = actor.user.displayName
        try await fill(item, from: body, creating: true, actor: actor, on: req.db)
        try await req.db.writeTransaction { db in
            try await item.save(on: db)
            try await RectificationEvent(itemID: item.requireID(), at: Date(), actor: actor, action: "create", from: nil, to: .issued,
                                         note: "下发整改：\(item.problem.prefix(60))").save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: item.campaignID, action: "rectification.create",
                                  summary: "下发整改事项：\(item.responsibleUnit) \(item.responsiblePerson)", after: auditView(item))
        }
        return try created(try await detailDTO(item, for: actor, on: req.db))
    }

    /// Edits the six parts while the item is open. Admins only; the state changes only through actions.
    @Sendable
    func update(req: Request) async throws -> RectificationDetailDTO {
        let actor = try await req.actor()
        let (item, role) = try await findItem(req, actor)
        guard role == .admin || role == .adminOwner else { throw APIError.forbidden }
        guard item.state.isOpen else { throw APIError.conflict("已销号的问题不能修改；如需重新整改请“回头看”") }
        let body = try req.content.decode(RectificationItemRequest.self)
        // Separation of duties: the deadline moves only through 申请延期 and its approval, and the responsible person
        // cannot hand the item to someone else (who would then let them approve their own closing).
        if let deadline = body.deadline, CalendarDay.endOfDay(deadline) != item.deadline {
            throw APIError(.unprocessableEntity, "rectification", "已下发的问题，完成时限只能通过“申请延期”并经审批后修改")
        }
        if let ownerID = body.ownerUserID, ownerID != item.ownerUserID {
            guard role == .admin else { throw APIError(.forbidden, "rectification", "责任人不能把自己的整改事项转给他人") }
            if let previous = item.ownerUserID { item.formerOwnerIDs = Array(Set(item.formerOwnerIDs + [previous])) }
        }
        let before = auditView(item)
        try await fill(item, from: body, creating: false, actor: actor, on: req.db)
        try await req.db.writeTransaction { db in
            try await item.save(on: db)
            try await RectificationEvent(itemID: item.requireID(), at: Date(), actor: actor, action: "edit", from: nil, to: nil,
                                         note: "修改台账内容").save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: item.campaignID, action: "rectification.edit",
                                  summary: "修改整改事项：\(item.responsibleUnit) \(item.responsiblePerson)", before: before, after: auditView(item))
        }
        return try await detailDTO(item, for: actor, on: req.db)
    }

    /// One step of the state machine: 签收, 报送进展, 申请销号, 同意销号, 驳回, 申请延期, 同意/不同意延期, 回头看.
    @Sendable
    func act(req: Request) async throws -> RectificationDetailDTO {
        let actor = try await req.actor()
        let (item, role) = try await findItem(req, actor)
        let body = try req.content.decode(RectificationActionRequest.self)
        guard let action = RectificationAction(rawValue: body.action) else {
            throw APIError(.unprocessableEntity, "invalid", "未知的操作：\(body.action.prefix(40))")
        }
        let note = try optionalText(body.note, "说明", max: 2000)
        var deadline: Date?
        if let text = body.deadline {
            guard let day = CalendarDay.endOfDay(text) else { throw APIError(.unprocessableEntity, "invalid", "完成时限格式应为 2026-12-31") }
            deadline = day
        }
        let before = item.status
        let after: RectificationStatus
        do throws(RectificationError) {
            after = try apply(action, to: before, by: role, input: RectificationInput(note: note, deadline: deadline))
        } catch {
            throw APIError(error == .notAllowed(action) || error == .ownerCannotApprove ? .forbidden : error.isStateConflict ? .conflict : .unprocessableEntity,
                           "rectification", error.message)
        }
        let record = switch action {
        case .requestExtension: "申请延期至 \(deadline.map(CalendarDay.day) ?? "")：\(note)"
        case .approveExtension: "同意延期至 \(CalendarDay.day(after.deadline))" + (note.isEmpty ? "" : "：\(note)")
        default: note
        }
        let itemID = try item.requireID()
        try await req.db.writeTransaction { db in
            try await claim(itemID, expecting: before, on: db)
            item.status = after
            if after.state == .closed, before.state != .closed { item.closedAt = Date() }
            if after.state != .closed { item.closedAt = nil }
            try await item.save(on: db)
            try await RectificationEvent(itemID: itemID, at: Date(), actor: actor, action: action.rawValue,
                                         from: before.state, to: after.state, note: record).save(on: db)
        }
        return try await detailDTO(item, for: actor, on: req.db)
    }

    /// 佐证材料: PDF, DOCX, TXT, JPG or PNG up to 20 MB, with its SHA-256; only while the item is open.
    @Sendable
    func uploadEvidence(req: Request) async throws -> Response {
        let actor = try await req.actor()
        let (item, role) = try await findItem(req, actor)
        guard role != .other else { throw APIError.forbidden }
        guard item.state.isOpen else { throw APIError.conflict("已销号的问题不能再上传佐证材料") }
        let (data, file) = try ReportFile.upload(req, defaultName: "佐证材料", images: true)
        let evidence = RectificationEvidence()
        evidence.$item.id = try item.requireID()
        evidence.store(data, as: file)
        evidence.uploadedBy = actor.user.displayName
        evidence.uploadedAt = Date()
        let itemID = try item.requireID()
        try await req.db.writeTransaction { db in
            let sql = db as! any SQLDatabase
            let counted = try await sql.raw("""
                UPDATE "rectification_items" SET "evidence_count" = "evidence_count" + 1
                WHERE "id" = \(bind: itemID) AND "state" <> \(bind: RectificationState.closed.rawValue) RETURNING "evidence_count"
                """).first()
            guard counted != nil else { throw APIError.conflict("已销号的问题不能再上传佐证材料") }
            try await evidence.save(on: db)
            try await RectificationEvent(itemID: itemID, at: Date(), actor: actor, action: "evidence", from: nil, to: nil,
                                         note: "上传佐证材料《\(file.fileName)》（\(data.count) 字节，SHA-256 \(file.sha256.prefix(16))…）").save(on: db)
        }
        let dto = EvidenceDTO(id: try evidence.requireID(), fileName: evidence.fileName, contentType: evidence.contentType,
                              byteCount: evidence.byteCount, sha256: evidence.sha256, uploadedBy: evidence.uploadedBy, uploadedAt: evidence.uploadedAt)
        return try created(dto)
    }

    @Sendable
    func downloadEvidence(req: Request) async throws -> Response {
        let actor = try await req.actor()
        let (item, _) = try await findItem(req, actor)
        guard let raw = req.parameters.get("evidenceID"), let id = UUID(uuidString: raw),
              let evidence = try await RectificationEvidence.find(id, on: req.db), evidence.$item.id == item.id else {
            throw APIError.notFound("佐证材料")
        }
        return storedFileResponse(evidence.data, fileName: evidence.fileName, contentType: evidence.contentType, sha256: evidence.sha256)
    }

    // MARK: Helpers

    /// The item and the actor's role on it; 404 when the actor has none (out of scope, or someone else's item).
    func findItem(_ req: Request, _ actor: Actor) async throws -> (RectificationItem, RectificationRole) {
        guard let raw = req.parameters.get("itemID"), let id = UUID(uuidString: raw),
              let item = try await RectificationItem.find(id, on: req.db) else { throw APIError.notFound("整改事项") }
        let role = rectificationRole(of: actor, for: item)
        guard role != .other else { throw APIError.notFound("整改事项") }
        return (item, role)
    }

    /// Copies the request into the item, checking every part; on create the six parts are required.
    func fill(_ item: RectificationItem, from body: RectificationItemRequest, creating: Bool, actor: Actor, on db: any Database) async throws {
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
            if creating, day < Date() { throw APIError(.unprocessableEntity, "invalid", "完成时限不能早于今天") }
            item.deadline = day
        } else if creating {
            throw APIError(.unprocessableEntity, "invalid", "完成时限不能为空")
        }
        if creating {
            if let campaignID = body.campaignID {
                let campaign = try await findCampaign(campaignID.uuidString, for: actor, .manage, on: db)
                item.campaignID = campaign.id
                if let reporteeID = body.reporteeID {
                    guard let reportee = try await Reportee.find(reporteeID, on: db), reportee.$campaign.id == campaign.id else {
                        throw APIError.notFound("述职对象")
                    }
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
    func claim(_ itemID: UUID, expecting status: RectificationStatus, on db: any Database) async throws {
        guard try await claimRow("""
            UPDATE "rectification_items" SET "reopen_count" = "reopen_count"
            WHERE "id" = \(bind: itemID) AND "state" = \(bind: status.state.rawValue) AND "evidence_count" = \(bind: status.evidenceCount)
            AND "reopen_count" = \(bind: status.reopenCount) AND ("pending_extension" IS NULL) = \(bind: status.pendingExtension == nil)
            """, on: db) else { throw APIError.conflict("该问题刚被他人更新，请刷新后重试") }
    }

    func auditView(_ item: RectificationItem) -> [String: String] {
        [
            "source": item.source.label, "category": item.category, "problem": item.problem, "plan": item.plan,
            "linkedLeader": item.linkedLeader, "responsibleUnit": item.responsibleUnit, "responsiblePerson": item.responsiblePerson,
            "deadline": CalendarDay.day(item.deadline), "feedback": item.feedback,
        ]
    }
}

extension RectificationError {
    /// Wrong state (409) rather than wrong input (422).
    var isStateConflict: Bool {
        switch self {
        case .illegal, .extensionPending, .noExtensionPending: true
        default: false
        }
    }
}

/// The actor's role on an item: an admin whose scope holds the item's unit, its owner account, both, or neither.
func rectificationRole(of actor: Actor, for item: RectificationItem) -> RectificationRole {
    let admin = actor.isAdmin && actor.scope.contains(item.orgUnitID)
    // An admin who was ever responsible for the item still may not approve its closing or an extension.
    let owner = item.ownerUserID == actor.id || (admin && item.formerOwnerIDs.contains(actor.id))
    switch (admin, owner) {
    case (true, true): return .adminOwner
    case (true, false): return .admin
    case (false, true): return .owner
    case (false, false): return .other
    }
}

/// The ledger's filters, from the query string. Unknown values are refused (400), never ignored.
struct LedgerFilter {
    var unit: UUID?
    var state: RectificationState?
    var source: RectificationSource?
    var overdue: Bool?
    var campaign: UUID?

    init() {}

    init(_ req: Request) throws {
        func value(_ key: String) -> String? { req.query[String.self, at: key].flatMap { $0.isEmpty ? nil : $0 } }
        if let raw = value("unit") {
            guard let id = UUID(uuidString: raw) else { throw APIError(.badRequest, "bad_request", "unit 不是有效的编号") }
            unit = id
        }
        if let raw = value("campaign") {
            guard let id = UUID(uuidString: raw) else { throw APIError(.badRequest, "bad_request", "campaign 不是有效的编号") }
            campaign = id
        }
        if let raw = value("state") {
            guard let parsed = RectificationState(rawValue: raw) else { throw APIError(.badRequest, "bad_request", "state 取值无效") }
            state = parsed
        }
        if let raw = value("source") {
            guard let parsed = RectificationSource(rawValue: raw) else { throw APIError(.badRequest, "bad_request", "source 取值无效") }
            source = parsed
        }
        if let raw = value("overdue") {
            guard raw == "true" || raw == "false" else { throw APIError(.badRequest, "bad_request", "overdue 只能是 true 或 false") }
            overdue = raw == "true"
        }
    }
}

/// Items the actor may see (admins: their scope; everyone: items they own), filtered, oldest first (the 台账 order).
func visibleItems(for actor: Actor, filter: LedgerFilter, on db: any Database) async throws -> [RectificationItem] {
    var query = RectificationItem.query(on: db)
    if actor.isAdmin, let units = actor.scope.unitIDs {
        query = query.group(.or) { $0.filter(\.$orgUnitID ~~ Array(units)).filter(\.$ownerUserID == actor.id) }
    } else if !actor.isAdmin {
        query = query.filter(\.$ownerUserID == actor.id)
    }
    if let unit = filter.unit { query = query.filter(\.$orgUnitID == unit) }
    if let state = filter.state { query = query.filter(\.$state == state) }
    if let source = filter.source { query = query.filter(\.$source == source) }
    if let campaign = filter.campaign { query = query.filter(\.$campaignID == campaign) }
    var items = try await query.sort(\.$createdAt).sort(\.$id).all()
    if let overdue = filter.overdue {
        let now = Date()
        items = items.filter { $0.status.isOverdue(at: now) == overdue }
    }
    return items
}

/// DTOs for a list, with unit names and each item's latest progress note in two queries.
func itemDTOs(_ items: [RectificationItem], for actor: Actor, on db: any Database) async throws -> [RectificationItemDTO] {
    let names = try await unitNames(on: db)
    let ids = items.compactMap(\.id)
    var latest: [UUID: String] = [:]
    if !ids.isEmpty {
        let progress = try await RectificationEvent.query(on: db).filter(\.$item.$id ~~ ids).filter(\.$action == RectificationAction.progress.rawValue)
            .sort(\.$at).all()
        for event in progress { latest[event.$item.id] = event.note }
    }
    let now = Date()
    return items.map { itemDTO($0, unitName: names[$0.orgUnitID] ?? "", latestProgress: latest[$0.id!], for: actor, now: now) }
}

func itemDTO(_ item: RectificationItem, unitName: String, latestProgress: String?, for actor: Actor, now: Date) -> RectificationItemDTO {
    let role = rectificationRole(of: actor, for: item)
    let probe = RectificationInput(note: "—", deadline: item.deadline.addingTimeInterval(365 * 86_400))
    let actions = RectificationAction.allCases.filter { action in
        do throws(RectificationError) {
            _ = try apply(action, to: item.status, by: role, input: probe)
            return true
        } catch {
            // Shown, so the page can say what is missing (the server still refuses until it is there).
            return error == .evidenceRequired
        }
    }
    return RectificationItemDTO(
        id: item.id!, orgUnitID: item.orgUnitID, orgUnitName: unitName, campaignID: item.campaignID, reporteeID: item.reporteeID,
        source: item.source.rawValue, sourceLabel: item.source.label, category: item.category, problem: item.problem, plan: item.plan,
        linkedLeader: item.linkedLeader, responsibleUnit: item.responsibleUnit, responsiblePerson: item.responsiblePerson,
        ownerUserID: item.ownerUserID, deadline: CalendarDay.day(item.deadline), state: item.state.rawValue, stateLabel: item.state.label,
        overdue: item.status.isOverdue(at: now), dueSoon: item.status.isDueSoon(at: now),
        pendingExtension: item.pendingExtension.map { ExtensionDTO(deadline: CalendarDay.day($0.deadline), reason: $0.reason) },
        evidenceCount: item.evidenceCount, reopenCount: item.reopenCount, feedback: item.feedback, publishWhenClosed: item.publishWhenClosed,
        closedAt: item.closedAt, createdBy: item.createdBy, createdAt: item.createdAt, latestProgress: latestProgress,
        actions: actions.map(\.rawValue), canEdit: (role == .admin || role == .adminOwner) && item.state.isOpen)
}

func detailDTO(_ item: RectificationItem, for actor: Actor, on db: any Database) async throws -> RectificationDetailDTO {
    let id = try item.requireID()
    let events = try await RectificationEvent.query(on: db).filter(\.$item.$id == id).sort(\.$at).all()
    let evidence = try await RectificationEvidence.query(on: db).filter(\.$item.$id == id).sort(\.$uploadedAt)
        .field(\.$id).field(\RectificationEvidence.$item.$id).field(\.$fileName).field(\.$contentType).field(\.$byteCount).field(\.$sha256)
        .field(\.$uploadedBy).field(\.$uploadedAt).all()
    let dto = try await itemDTOs([item], for: actor, on: db)[0]
    return RectificationDetailDTO(
        item: dto,
        events: events.map { event in
            RectificationEventDTO(at: event.at, actor: event.actorName, action: event.action, actionLabel: eventLabel(event.action),
                                  fromState: event.fromState?.label, toState: event.toState?.label, note: event.note)
        },
        evidence: evidence.map {
            EvidenceDTO(id: $0.id!, fileName: $0.fileName, contentType: $0.contentType, byteCount: $0.byteCount, sha256: $0.sha256,
                        uploadedBy: $0.uploadedBy, uploadedAt: $0.uploadedAt)
        })
}

func eventLabel(_ action: String) -> String {
    switch action {
    case "create": "下发"
    case "edit": "修改"
    case "evidence": "上传佐证"
    default: RectificationAction(rawValue: action)?.label ?? action
    }
}
