import Fluent
import Foundation
import PingyiCore
import Vapor

/// 整改台账 as its readers see it: the list (scope and filters), one item with its history and evidence, the
/// dashboard, reminders, the draft of a new item, the export and the public notice of closed items. Reads only.
enum LedgerView {
    /// The list a reader may see, filtered, oldest first.
    static func list(for actor: Actor, filter: LedgerFilter, on db: any Database) async throws -> [RectificationItemDTO] {
        try await itemDTOs(try await visibleItems(for: actor, filter: filter, on: db), for: actor, on: db)
    }

    /// The item and the actor's role on it; 404 when the actor has none (out of scope, or someone else's item).
    static func item(_ rawID: String?, for actor: Actor, on db: any Database) async throws -> (RectificationItem, RectificationRole) {
        guard let rawID, let id = UUID(uuidString: rawID),
              let item = try await RectificationItem.find(id, on: db) else { throw APIError.notFound("整改事项") }
        let role = rectificationRole(of: actor, for: item)
        guard role != .other else { throw APIError.notFound("整改事项") }
        return (item, role)
    }

    /// 看板: open, overdue, due within 7 days and closed items per unit, for the admin's scope.
    static func dashboard(for actor: Actor, on db: any Database) async throws -> [LedgerDashboardRowDTO] {
        let items = try await visibleItems(for: actor, filter: LedgerFilter(), on: db)
        let names = try await unitNames(on: db)
        // Each item under its picked 责任单位 (an item with two units counts in both rows), or where it was filed.
        let tally = LedgerRules.dashboard(items.flatMap { item in
            LedgerRules.countedUnits(picked: item.responsibleUnitIDs, filedUnder: item.orgUnitID).map {
                LedgerRules.DashboardItem(unit: $0.uuidString, unitName: names[$0] ?? "", status: item.status)
            }
        }, at: Date())
        return tally.map {
            LedgerDashboardRowDTO(orgUnitID: UUID(uuidString: $0.unit)!, orgUnitName: $0.unitName, open: $0.open, overdue: $0.overdue,
                                  dueSoon: $0.dueSoon, closed: $0.closed)
        }
    }

    /// A pre-filled item from a chair comment (`comment`) or a result sheet (`result`), for the create form.
    /// `from` is checked before the campaign, as the route has always answered: a bad `from` is 400 whatever the campaign.
    static func draft(from: String?, reportee rawReportee: String?, campaign rawCampaign: String?, for actor: Actor,
                      on db: any Database) async throws -> RectificationItemRequest {
        guard let from, ["comment", "result"].contains(from) else {
            throw APIError(.badRequest, "bad_request", "from 只能是 comment 或 result")
        }
        let campaign = try await findCampaign(rawCampaign, for: actor, .manage, on: db)
        let reportee = try await findChild(Reportee.self, rawReportee, in: campaign, "述职对象", on: db)
        let reporteeID = try reportee.requireID()
        var draft = RectificationItemRequest(
            orgUnitID: reportee.$orgUnit.id ?? campaign.$orgUnit.id, campaignID: campaign.id, reporteeID: reporteeID,
            source: nil, category: nil, problem: nil, plan: "", linkedLeader: "", responsibleUnit: reportee.unitName,
            responsiblePerson: reportee.name, ownerUserID: reportee.$user.id,
            deadline: CalendarDay.day(Date().addingTimeInterval(30 * 86_400)), feedback: "", publishWhenClosed: true)
        if from == "comment" {
            let speech = try await Speech.query(on: db).filter(\.$reportee.$id == reporteeID).first()
            guard let comment = speech?.comment?.trimmingCharacters(in: .whitespacesAndNewlines), !comment.isEmpty else {
                throw APIError.conflict("\(reportee.name)还没有主持人点评")
            }
            draft.source = RectificationSource.chairComment.rawValue
            draft.category = "述职点评"
            draft.problem = comment
        } else {
            let report = try await requireReport(campaign, on: db)
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

    /// One evidence file of the item.
    static func evidence(_ rawID: String?, of item: RectificationItem, on db: any Database) async throws -> RectificationEvidence {
        guard let rawID, let id = UUID(uuidString: rawID),
              let evidence = try await RectificationEvidence.find(id, on: db), evidence.$item.id == item.id else {
            throw APIError.notFound("佐证材料")
        }
        return evidence
    }

    /// The ledger in the department's columns and every item's history, as XLSX (`LedgerTables`).
    static func workbook(for actor: Actor, filter: LedgerFilter, on db: any Database) async throws -> Data {
        let items = try await visibleItems(for: actor, filter: filter, on: db)
        let ids = items.compactMap(\.id)
        let events = ids.isEmpty ? [] : try await RectificationEvent.query(on: db).filter(\.$item.$id ~~ ids).sort(\.$at).all()
        let evidence = ids.isEmpty ? [] : try await RectificationEvidence.query(on: db).filter(\.$item.$id ~~ ids)
            .field(\.$id).field(\RectificationEvidence.$item.$id).field(\.$fileName).field(\.$sha256).field(\.$byteCount)
            .field(\.$contentType).field(\.$uploadedBy).field(\.$uploadedAt).all()
        return try XLSXWriter.workbook(LedgerTables.workbook(items: items, events: events, evidence: evidence, now: Date()))
    }

    /// The reader's reminders: their visible items due within 7 days or overdue, and the count per unit.
    static func reminders(for actor: Actor, on db: any Database) async throws -> RemindersDTO {
        let items = try await visibleItems(for: actor, filter: LedgerFilter(), on: db)
        return try await remindersDTO(items, for: actor, on: db, now: Date())
    }

    /// Closed items marked for publicity, newest first (整改成果公示).
    static func publicClosedItems(on db: any Database) async throws -> [PublicRectificationDTO] {
        let items = try await RectificationItem.query(on: db).filter(\.$state == .closed).filter(\.$publishWhenClosed == true)
            .sort(\.$closedAt, .descending).range(..<500).all()
        let ids = items.compactMap(\.id)
        let events = ids.isEmpty ? [] : try await RectificationEvent.query(on: db).filter(\.$item.$id ~~ ids)
            .filter(\.$action ~~ ["request_close", "reopen", "confirm"]).sort(\.$at).all()
        let history = Dictionary(grouping: events, by: \.$item.id)
        return items.map {
            PublicRectificationDTO(unit: $0.responsibleUnit, category: $0.category, problem: $0.problem, plan: $0.plan, feedback: $0.feedback,
                                   closedOn: $0.closedAt.map(CalendarDay.day) ?? "",
                                   result: LedgerRules.publicResult((history[$0.id!] ?? []).map { (action: $0.action, note: $0.note) }))
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
    if let state = filter.state { query = query.filter(\.$state == state) }
    if let source = filter.source { query = query.filter(\.$source == source) }
    if let campaign = filter.campaign { query = query.filter(\.$campaignID == campaign) }
    var items = try await query.sort(\.$createdAt).sort(\.$id).all()
    // A unit's items are those the dashboard counts under it: picked as 责任单位, or filed under it without picks.
    if let unit = filter.unit { items = items.filter { LedgerRules.countedUnits(picked: $0.responsibleUnitIDs, filedUnder: $0.orgUnitID).contains(unit) } }
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
    let actions = LedgerRules.availableActions(item.status, by: role)
    return RectificationItemDTO(
        id: item.id!, orgUnitID: item.orgUnitID, orgUnitName: unitName, campaignID: item.campaignID, reporteeID: item.reporteeID,
        source: item.source.rawValue, sourceLabel: item.source.label, category: item.category, problem: item.problem, plan: item.plan,
        linkedLeader: item.linkedLeader, responsibleUnit: item.responsibleUnit, responsiblePerson: item.responsiblePerson,
        ownerUserID: item.ownerUserID, deadline: CalendarDay.day(item.deadline), state: item.state.rawValue, stateLabel: item.state.label,
        overdue: item.status.isOverdue(at: now), dueSoon: item.status.isDueSoon(at: now),
        pendingExtension: item.pendingExtension.map { ExtensionDTO(deadline: CalendarDay.day($0.deadline), reason: $0.reason) },
        evidenceCount: item.evidenceCount, reopenCount: item.reopenCount, feedback: item.feedback, publishWhenClosed: item.publishWhenClosed,
        closedAt: item.closedAt, createdBy: item.createdBy, createdAt: item.createdAt, latestProgress: latestProgress,
        actions: actions.map(\.rawValue), canEdit: LedgerRules.canEdit(item.state, by: role), responsibleUnitIDs: item.responsibleUnitIDs)
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
        evidence: try evidence.map(EvidenceDTO.init))
}

func eventLabel(_ action: String) -> String {
    switch action {
    case "create": "下发"
    case "edit": "修改"
    case "evidence": "上传佐证"
    default: RectificationAction(rawValue: action)?.label ?? action
    }
}

func remindersDTO(_ items: [RectificationItem], for actor: Actor, on db: any Database, now: Date) async throws -> RemindersDTO {
    let names = try await unitNames(on: db)
    let units = reminders(items.map { ReminderItem(unit: names[$0.orgUnitID] ?? $0.responsibleUnit, status: $0.status) }, at: now)
    let due = items.filter { $0.status.isOverdue(at: now) || $0.status.isDueSoon(at: now) }.sorted { $0.deadline < $1.deadline }
    return RemindersDTO(units: units.map { ReminderDTO(unit: $0.unit, dueSoon: $0.dueSoon, overdue: $0.overdue) },
                        items: try await itemDTOs(due, for: actor, on: db))
}

/// The daily check over the whole ledger: due within 7 days and overdue, per unit, as lines for the log or a terminal.
func reminderReport(on db: any Database, now: Date) async throws -> [String] {
    let names = try await unitNames(on: db)
    let items = try await RectificationItem.query(on: db).filter(\.$state != .closed).all()
    let units = reminders(items.map { ReminderItem(unit: names[$0.orgUnitID] ?? $0.responsibleUnit, status: $0.status) }, at: now)
    let overdue = units.reduce(0) { $0 + $1.overdue }, soon = units.reduce(0) { $0 + $1.dueSoon }
    return ["整改提醒 \(CalendarDay.day(now))：逾期 \(overdue) 项，7 天内到期 \(soon) 项（共 \(units.count) 个单位）"]
        + units.map { "  \($0.unit)：逾期 \($0.overdue) 项，7 天内到期 \($0.dueSoon) 项" }
}
