import Fluent
import PingyiCore
import Vapor

/// Campaigns (年度述职评议): listing, set-up, lifecycle and the audit log. Rater groups, reportees and participants
/// are in the `CampaignController+…` files.
struct CampaignController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes.apiV1()
        api.delete("demo", use: removeDemo)
        let campaigns = api.grouped("campaigns")
        campaigns.get(use: list)
        campaigns.post(use: create)
        let campaign = campaigns.grouped(":campaignID")
        campaign.get(use: detail)
        campaign.patch(use: update)
        campaign.delete(use: delete)
        campaign.post("status", use: changeStatus)
        campaign.put("forms", use: replaceForms)
        campaign.put("rules", use: replaceRules)
        campaign.get("audit", use: auditLog)
        bootRaterGroups(campaign)
        bootReportees(campaign)
        bootParticipants(campaign)
    }

    @Sendable
    func list(req: Request) async throws -> [CampaignSummaryDTO] {
        let actor = try await req.actor()
        return try await visibleCampaigns(for: actor, on: req.db).map(CampaignSummaryDTO.init)
    }

    @Sendable
    func detail(req: Request) async throws -> CampaignDetailDTO {
        let actor = try await req.actor()
        let campaign = try await findCampaign(req.parameters.get("campaignID"), for: actor, .view, on: req.db)
        return try await campaignDetail(campaign, for: actor, on: req.db)
    }

    @Sendable
    func create(req: Request) async throws -> Response {
        let actor = try await req.actor()
        guard actor.isAdmin else { throw APIError.forbidden }
        let body = try req.content.decode(CampaignCreateRequest.self)
        let title = try requireText(body.title, "活动名称", max: 200)
        guard (2000...2100).contains(body.year) else { throw APIError(.unprocessableEntity, "invalid", "年度应在 2000 到 2100 之间") }
        let level = try parseLevel(body.level)
        guard actor.scope.contains(body.orgUnitID), try await OrgUnit.find(body.orgUnitID, on: req.db) != nil else {
            throw APIError.notFound("组织")
        }
        var source: Campaign?
        if let copyFrom = body.copyFrom { source = try await findCampaign(copyFrom.uuidString, for: actor, .manage, on: req.db) }
        let copying = source
        let campaign = try await req.db.writeTransaction { db in
            let campaign = try await createCampaign(title: title, year: body.year, level: level, orgUnitID: body.orgUnitID,
                                                    copying: copying, on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "campaign.create",
                                  summary: copying.map { "复制“\($0.title)”新建评议活动" } ?? "按标准模板新建评议活动",
                                  after: try CampaignSummaryDTO(campaign))
            return campaign
        }
        return try created(try await campaignDetail(campaign, for: actor, on: req.db))
    }

    @Sendable
    func update(req: Request) async throws -> CampaignDetailDTO {
        let actor = try await req.actor()
        let campaign = try await findCampaign(req.parameters.get("campaignID"), for: actor, .manage, on: req.db)
        try campaign.require({ !$0.isReadOnly }, "活动信息")
        let body = try req.content.decode(CampaignUpdateRequest.self)
        let before = try CampaignSummaryDTO(campaign)
        if let title = body.title { campaign.title = try requireText(title, "活动名称", max: 200) }
        if let year = body.year {
            guard (2000...2100).contains(year) else { throw APIError(.unprocessableEntity, "invalid", "年度应在 2000 到 2100 之间") }
            campaign.year = year
        }
        if let level = body.level { campaign.level = try parseLevel(level) }
        if let open = body.materialsPublic {
            campaign.materialsPublic = open
            if campaign.materialsToken == nil { campaign.materialsToken = Tokens.generate() }
        }
        try await req.db.writeTransaction { db in
            try await campaign.requireLocked({ !$0.isReadOnly }, "活动信息", on: db)
            try await campaign.save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "campaign.update",
                                  summary: body.materialsPublic.map { $0 ? "开放述职材料阅读链接" : "关闭述职材料阅读链接" } ?? "修改活动信息",
                                  before: before, after: try CampaignSummaryDTO(campaign))
        }
        return try await campaignDetail(campaign, for: actor, on: req.db)
    }

    /// Deletes a campaign that is still being prepared and never opened a round: no route deletes a ballot or a code.
    @Sendable
    func delete(req: Request) async throws -> HTTPStatus {
        let actor = try await req.actor()
        let campaign = try await findCampaign(req.parameters.get("campaignID"), for: actor, .manage, on: req.db)
        try await req.db.writeTransaction { db in
            let id = try campaign.requireID()
            guard try await lockedPhase(of: id, on: db) == .preparing else { throw APIError.conflict("只能删除筹备中的评议活动") }
            guard try await !ballotBoxFacts(of: id, on: db).hasRounds else {
                throw APIError.conflict("此活动已开启过投票，选票和投票码须保留，不能删除")
            }
            try await Participant.query(on: db).filter(\.$campaign.$id == id).delete()
            let reportees = try await Reportee.query(on: db).filter(\.$campaign.$id == id).all()
            try await ReportDocument.query(on: db).filter(\.$reportee.$id ~~ reportees.compactMap(\.id)).delete()
            try await Reportee.query(on: db).filter(\.$campaign.$id == id).delete()
            try await RaterGroup.query(on: db).filter(\.$campaign.$id == id).delete()
            try await campaign.delete(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: id, action: "campaign.delete",
                                  summary: "删除评议活动“\(campaign.title)”", before: try CampaignSummaryDTO(campaign))
        }
        return .noContent
    }

    @Sendable
    func changeStatus(req: Request) async throws -> CampaignDetailDTO {
        let actor = try await req.actor()
        let campaign = try await findCampaign(req.parameters.get("campaignID"), for: actor, .manage, on: req.db)
        let body = try req.content.decode(StatusChangeRequest.self)
        guard let target = CampaignPhase(rawValue: body.status) else {
            throw APIError(.unprocessableEntity, "invalid", "状态无效：\(body.status.prefix(40))")
        }
        // Scanned page images are kept until the campaign is archived (PINGYI_KEEP_PAGE_IMAGES=1 keeps them).
        let erasesImages = target == .archived && Environment.get("PINGYI_KEEP_PAGE_IMAGES") != "1"
        try await req.db.writeTransaction { db in
            if campaign.status == .preparing, target == .meeting { try await checkReadyForMeeting(campaign, on: db) }
            let from = try await changePhase(of: campaign, to: target, on: db)
            // The check-in cards can be printed the moment the meeting opens.
            if target == .meeting { try await assignCheckInCodes(campaignID: try campaign.requireID(), on: db) }
            if erasesImages { try await PaperScanning.eraseImages(campaignID: try campaign.requireID(), on: db) }
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "campaign.status",
                                  summary: "活动状态：\(from.label) → \(target.label)",
                                  before: ["status": from.rawValue], after: ["status": target.rawValue])
        }
        // The erased images leave no copy in the files (dead TOAST chunks, the write-ahead log).
        if erasesImages { try await BallotScrub.flush([PaperScan.schema], on: req.db) }
        return try await campaignDetail(campaign, for: actor, on: req.db)
    }

    @Sendable
    func replaceForms(req: Request) async throws -> CampaignDetailDTO {
        let actor = try await req.actor()
        let campaign = try await findCampaign(req.parameters.get("campaignID"), for: actor, .manage, on: req.db)
        try campaign.require(\.allowsSetupChanges, "评议表")
        let forms = try normalizedForms(try req.content.decode([FormInput].self))
        let before = campaign.forms
        campaign.forms = forms
        // Form weights name forms; when the set of forms changes they no longer fit and go back to equal weights.
        if Set(campaign.rules.formWeights.keys) != Set(forms.map(\.id)) { campaign.rules.formWeights = [:] }
        try await req.db.writeTransaction { db in
            try await campaign.requireLocked(\.allowsSetupChanges, "评议表", on: db)
            try await campaign.save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "campaign.forms",
                                  summary: "修改评议表（\(forms.count) 张）", before: before, after: forms)
        }
        return try await campaignDetail(campaign, for: actor, on: req.db)
    }

    @Sendable
    func replaceRules(req: Request) async throws -> CampaignDetailDTO {
        let actor = try await req.actor()
        let campaign = try await findCampaign(req.parameters.get("campaignID"), for: actor, .manage, on: req.db)
        try campaign.require(\.allowsSetupChanges, "评议规则")
        let rules = try req.content.decode(EvaluationRules.self)
        let groups = try await RaterGroup.query(on: req.db).filter(\.$campaign.$id == campaign.requireID()).all()
        try rules.validate(raterGroups: groups.map { $0.id!.uuidString }, forms: campaign.forms.map(\.id))
        let before = campaign.rules
        campaign.rules = rules
        try await req.db.writeTransaction { db in
            try await campaign.requireLocked(\.allowsSetupChanges, "评议规则", on: db)
            try await campaign.save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "campaign.rules",
                                  summary: "修改评议规则", before: before, after: rules)
        }
        return try await campaignDetail(campaign, for: actor, on: req.db)
    }

    @Sendable
    func auditLog(req: Request) async throws -> [AuditEntryDTO] {
        let actor = try await req.actor()
        let campaign = try await findCampaign(req.parameters.get("campaignID"), for: actor, .manage, on: req.db)
        return try await AuditEntry.query(on: req.db).filter(\.$campaignID == campaign.requireID())
            .sort(\.$createdAt, .descending).all().map(AuditEntryDTO.init)
    }

    @Sendable
    func removeDemo(req: Request) async throws -> DemoRemovalDTO {
        let actor = try await req.actor()
        guard actor.isSystemAdmin else { throw APIError.forbidden }
        let removed = try await req.db.writeTransaction { db in
            let removed = try await DemoCampaign.remove(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: nil, action: "demo.remove",
                                  summary: "删除演示数据：\(removed.campaigns) 个活动，\(removed.orgUnits) 个组织")
            return removed
        }
        return DemoRemovalDTO(removedCampaigns: removed.campaigns, removedOrgUnits: removed.orgUnits)
    }
}

/// Creates a campaign from the seed template (three forms, standard rules, the seed's rater groups) or as a copy of
/// another campaign's set-up, reportees and participants.
func createCampaign(title: String, year: Int, level: CampaignLevel, orgUnitID: UUID, copying source: Campaign?,
                    on db: any Database) async throws -> Campaign {
    let campaign = Campaign(title: title, year: year, level: level, orgUnitID: orgUnitID,
                            forms: source?.forms ?? FormTemplate.seedForms, rules: source?.rules ?? .standard)
    try await campaign.save(on: db)
    let id = try campaign.requireID()
    var groupMap: [UUID: UUID] = [:]
    var weights: [String: Double] = [:]
    if let source {
        let sourceID = try source.requireID()
        for group in try await RaterGroup.query(on: db).filter(\.$campaign.$id == sourceID).sort(\.$position).all() {
            let copy = RaterGroup(campaignID: id, name: group.name, position: group.position)
            try await copy.save(on: db)
            groupMap[group.id!] = copy.id!
            if let weight = source.rules.raterGroupWeights[group.id!.uuidString] { weights[copy.id!.uuidString] = weight }
        }
        for reportee in try await Reportee.query(on: db).filter(\.$campaign.$id == sourceID).all() {
            try await Reportee(campaignID: id, orgUnitID: reportee.$orgUnit.id, name: reportee.name, unitName: reportee.unitName,
                               title: reportee.title, mode: reportee.mode, position: reportee.position,
                               timeLimitSeconds: reportee.timeLimitSeconds).save(on: db)
        }
        for participant in try await Participant.query(on: db).filter(\.$campaign.$id == sourceID).all() {
            try await Participant(campaignID: id, name: participant.name, unitName: participant.unitName, role: participant.role,
                                  raterGroupID: participant.$raterGroup.id.flatMap { groupMap[$0] },
                                  position: participant.position).save(on: db)
        }
    } else {
        for (offset, group) in level.raterGroupTemplate.enumerated() {
            let raterGroup = RaterGroup(campaignID: id, name: group.name, position: offset + 1)
            try await raterGroup.save(on: db)
            weights[raterGroup.id!.uuidString] = group.weight
        }
    }
    campaign.rules.raterGroupWeights = weights
    try await campaign.save(on: db)
    return campaign
}

/// A meeting needs something to evaluate and someone to evaluate it (`MeetingReadiness`, the page's 筹备清单). Rules
/// that do not fit are reported by `validate`, which says what in them is wrong.
func checkReadyForMeeting(_ campaign: Campaign, on db: any Database) async throws {
    let id = try campaign.requireID()
    let groups = try await RaterGroup.query(on: db).filter(\.$campaign.$id == id).all()
    let reportees = try await Reportee.query(on: db).filter(\.$campaign.$id == id).all()
    let attendees = try await Participant.query(on: db).filter(\.$campaign.$id == id).filter(\.$role == .attendee).count()
    let reports = try await reportInfos(for: reportees.filter { $0.mode == .written }, on: db)
    let facts = readinessFacts(campaign, groups: groups, reportees: reportees, attendees: attendees, reports: reports)
    let missing = MeetingReadiness.items(facts).filter { $0.required && !$0.done && $0.key != "rules" }.map(\.label)
    guard missing.isEmpty else { throw APIError.conflict("开始会议前请先设置：\(missing.joined(separator: "、"))") }
    try campaign.rules.validate(raterGroups: groups.map { $0.id!.uuidString }, forms: campaign.forms.map(\.id))
}

/// The 筹备清单's facts from what the caller has already read.
func readinessFacts(_ campaign: Campaign, groups: [RaterGroup], reportees: [Reportee], attendees: Int,
                    reports: [UUID: ReportInfoDTO]) -> ReadinessFacts {
    let written = reportees.filter { $0.mode == .written }
    let rulesValid = (try? campaign.rules.validate(raterGroups: groups.map { $0.id!.uuidString }, forms: campaign.forms.map(\.id))) != nil
    return ReadinessFacts(
        forms: campaign.forms.count, raterGroups: groups.count, reportees: reportees.count,
        onsiteReportees: reportees.filter { $0.mode == .onsite }.count, attendees: attendees,
        minimumGroupSize: campaign.rules.effectiveMinimumGroupSize, linkedAccounts: reportees.filter { $0.$user.id != nil }.count,
        writtenReportees: written.count, writtenReports: written.filter { $0.id.map { reports[$0] != nil } ?? false }.count,
        rulesValid: rulesValid)
}

/// Checks and completes submitted forms (`FormSet`): ids assigned where missing, names trimmed, one 总体评价 per form.
func normalizedForms(_ inputs: [FormInput]) throws(FormSetError) -> [FormTemplate] {
    try FormSet.normalized(inputs.map { input in
        FormSet.Input(id: input.id, name: input.name,
                      columns: input.columns.map { FormSet.Input.Column(id: $0.id, name: $0.name, kind: $0.kind) })
    })
}

func parseLevel(_ raw: String) throws -> CampaignLevel {
    guard let level = CampaignLevel(rawValue: raw) else {
        throw APIError(.unprocessableEntity, "invalid", "层级应为 district（区级）、town（镇级）或 community（社区级）")
    }
    return level
}

func campaignDetail(_ campaign: Campaign, for actor: Actor?, on db: any Database) async throws -> CampaignDetailDTO {
    let id = try campaign.requireID()
    let groups = try await RaterGroup.query(on: db).filter(\.$campaign.$id == id).sort(\.$position).all()
    let reportees = try await Reportee.query(on: db).filter(\.$campaign.$id == id).sort(\.$position).all()
    let participants = try await Participant.query(on: db).filter(\.$campaign.$id == id).all()
    let reports = try await reportInfos(for: reportees, on: db)
    let count = { (role: ParticipantRole) in participants.filter { $0.role == role }.count }
    let manage = actor?.manages(campaign) ?? false
    let staff = actor.map { $0.isMeetingStaff && $0.scope.contains(campaign.$orgUnit.id) } ?? false
    return CampaignDetailDTO(
        campaign: try CampaignSummaryDTO(campaign),
        forms: campaign.forms,
        rules: campaign.rules,
        raterGroups: try groups.map { group in
            let groupID = try group.requireID()
            return RaterGroupDTO(id: groupID, name: group.name, position: group.position,
                                 weight: campaign.rules.raterGroupWeights[groupID.uuidString],
                                 attendees: participants.filter { $0.$raterGroup.id == groupID }.count)
        },
        reportees: try reportees.map { try ReporteeDTO($0, report: reports[$0.id!]) },
        participants: ParticipantCountsDTO(attendees: count(.attendee), observers: count(.observer), guests: count(.guest)),
        permissions: CampaignPermissionsDTO(manage: manage, viewParticipants: manage || staff),
        materialsPath: manage ? campaign.materialsToken.map { "/m/\($0)" } : nil,
        materialsPublic: campaign.materialsPublic,
        nextStatus: campaign.status.next?.rawValue,
        readiness: manage ? MeetingReadiness.items(readinessFacts(campaign, groups: groups, reportees: reportees,
                                                                  attendees: count(.attendee), reports: reports)) : nil)
}

/// Report metadata (no file bodies) for the given reportees.
func reportInfos(for reportees: [Reportee], on db: any Database) async throws -> [UUID: ReportInfoDTO] {
    let ids = reportees.compactMap(\.id)
    guard !ids.isEmpty else { return [:] }
    let documents = try await ReportDocument.query(on: db).filter(\.$reportee.$id ~~ ids)
        .field(\.$id).field(\.$reportee.$id).field(\.$fileName).field(\.$contentType).field(\.$byteCount).field(\.$sha256)
        .all()
    return Dictionary(documents.map { document in
        (document.$reportee.id, ReportInfoDTO(fileName: document.fileName, contentType: document.contentType,
                                              byteCount: document.byteCount, sha256: document.sha256))
    }, uniquingKeysWith: { a, _ in a })
}
