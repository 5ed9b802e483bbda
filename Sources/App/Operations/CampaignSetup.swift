import Fluent
import PingyiCore
import Vapor

/// 活动设置: a campaign's own set-up — creating, editing and deleting it, moving it through its phases, its forms and
/// its rules. Each operation checks its input, opens its own write transaction (re-reading the phase under the
/// campaign's lock) and writes its audit entry.
enum CampaignSetup {
    /// A new campaign from the seed template, or as a copy of `copyFrom` (which the actor must manage).
    static func createCampaign(_ body: CampaignCreateRequest, by actor: Actor, on db: any Database) async throws -> Campaign {
        let title = try requireText(body.title, "活动名称", max: 200)
        try checkYear(body.year)
        let level = try parseLevel(body.level)
        guard actor.scope.contains(body.orgUnitID), try await OrgUnit.find(body.orgUnitID, on: db) != nil else {
            throw APIError.notFound("组织")
        }
        var source: Campaign?
        if let copyFrom = body.copyFrom { source = try await findCampaign(copyFrom.uuidString, for: actor, .manage, on: db) }
        let copying = source
        return try await db.writeTransaction { db in
            let campaign = try await insertCampaign(title: title, year: body.year, level: level, orgUnitID: body.orgUnitID,
                                                        copying: copying, on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "campaign.create",
                                  summary: copying.map { "复制“\($0.title)”新建评议活动" } ?? "按标准模板新建评议活动",
                                  after: try CampaignSummaryDTO(campaign))
            return campaign
        }
    }

    /// Title, year, level and the materials link; anything but an archived campaign.
    static func updateCampaign(_ campaign: Campaign, with body: CampaignUpdateRequest, by actor: Actor, on db: any Database) async throws {
        try campaign.require({ !$0.isReadOnly }, "活动信息")
        let before = try CampaignSummaryDTO(campaign)
        if let title = body.title { campaign.title = try requireText(title, "活动名称", max: 200) }
        if let year = body.year {
            try checkYear(year)
            campaign.year = year
        }
        if let level = body.level { campaign.level = try parseLevel(level) }
        if let open = body.materialsPublic {
            campaign.materialsPublic = open
            if campaign.materialsToken == nil { campaign.materialsToken = Tokens.generate() }
        }
        try await db.writeTransaction { db in
            try await campaign.requireLocked({ !$0.isReadOnly }, "活动信息", on: db)
            try await campaign.save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "campaign.update",
                                  summary: body.materialsPublic.map { $0 ? "开放述职材料阅读链接" : "关闭述职材料阅读链接" } ?? "修改活动信息",
                                  before: before, after: try CampaignSummaryDTO(campaign))
        }
    }

    /// Deletes a campaign that is still being prepared and never opened a round: no operation deletes a ballot or a code.
    static func deleteCampaign(_ campaign: Campaign, by actor: Actor, on db: any Database) async throws {
        try await db.writeTransaction { db in
            let id = try campaign.requireID()
            guard try await lockedPhase(of: id, on: db).allowsDeletion else { throw APIError.conflict("只能删除筹备中的评议活动") }
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
    }

    /// Moves the campaign to `status` (`CampaignPhase`'s raw value). Opening the meeting checks it is ready and gives
    /// every participant a check-in code; archiving erases scanned page images (unless PINGYI_KEEP_PAGE_IMAGES=1) and
    /// leaves no copy of them in the files.
    static func changePhase(of campaign: Campaign, to status: String, by actor: Actor, on db: any Database) async throws {
        guard let target = CampaignPhase(rawValue: status) else {
            throw APIError(.unprocessableEntity, "invalid", "状态无效：\(status.prefix(40))")
        }
        let erasesImages = target == .archived && Environment.get("PINGYI_KEEP_PAGE_IMAGES") != "1"
        try await db.writeTransaction { db in
            if campaign.status == .preparing, target == .meeting { try await checkReadyForMeeting(campaign, on: db) }
            let from = try await App.changePhase(of: campaign, to: target, on: db)
            // The check-in cards can be printed the moment the meeting opens.
            if target == .meeting { try await assignCheckInCodes(campaignID: try campaign.requireID(), on: db) }
            if erasesImages { try await PaperScanning.eraseImages(campaignID: try campaign.requireID(), on: db) }
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "campaign.status",
                                  summary: "活动状态：\(from.label) → \(target.label)",
                                  before: ["status": from.rawValue], after: ["status": target.rawValue])
        }
        // The erased images leave no copy in the files (dead TOAST chunks, the write-ahead log).
        if erasesImages { try await BallotScrub.flush([PaperScan.schema], on: db) }
    }

    /// The campaign's forms, checked and completed (`normalizedForms`); form weights that no longer fit are dropped.
    static func replaceForms(_ inputs: [FormInput], of campaign: Campaign, by actor: Actor, on db: any Database) async throws {
        try campaign.require(\.allowsSetupChanges, "评议表")
        let forms = try normalizedForms(inputs)
        let before = campaign.forms
        campaign.forms = forms
        // Form weights name forms; when the set of forms changes they no longer fit and go back to equal weights.
        if Set(campaign.rules.formWeights.keys) != Set(forms.map(\.id)) { campaign.rules.formWeights = [:] }
        try await db.writeTransaction { db in
            try await campaign.requireLocked(\.allowsSetupChanges, "评议表", on: db)
            try await campaign.save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "campaign.forms",
                                  summary: "修改评议表（\(forms.count) 张）", before: before, after: forms)
        }
    }

    /// The campaign's rules, checked against its rater groups and forms.
    static func replaceRules(_ rules: EvaluationRules, of campaign: Campaign, by actor: Actor, on db: any Database) async throws {
        try campaign.require(\.allowsSetupChanges, "评议规则")
        let groups = try await RaterGroup.query(on: db).filter(\.$campaign.$id == campaign.requireID()).all()
        try rules.validate(raterGroups: groups.map { $0.id!.uuidString }, forms: campaign.forms.map(\.id))
        let before = campaign.rules
        campaign.rules = rules
        try await db.writeTransaction { db in
            try await campaign.requireLocked(\.allowsSetupChanges, "评议规则", on: db)
            try await campaign.save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "campaign.rules",
                                  summary: "修改评议规则", before: before, after: rules)
        }
    }

    /// Removes the demo campaigns and org units (`DemoCampaign`).
    static func removeDemo(by actor: Actor, on db: any Database) async throws -> (campaigns: Int, orgUnits: Int) {
        let removed = try await db.writeTransaction { db in
            let removed = try await DemoCampaign.remove(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: nil, action: "demo.remove",
                                  summary: "删除演示数据：\(removed.campaigns) 个活动，\(removed.orgUnits) 个组织")
            return removed
        }
        // The demo's rounds leave empty partitions behind (PostgreSQL): dropped now, or by the next removal if busy.
        try await BallotPartitions.dropOrphans(on: db)
        return removed
    }

    /// A campaign's year: 2000–2100.
    static func checkYear(_ year: Int) throws {
        guard (2000...2100).contains(year) else { throw APIError(.unprocessableEntity, "invalid", "年度应在 2000 到 2100 之间") }
    }
}

/// Creates a campaign from the seed template (three forms, standard rules, the seed's rater groups) or as a copy of
/// another campaign's set-up, reportees and participants.
func insertCampaign(title: String, year: Int, level: CampaignLevel, orgUnitID: UUID, copying source: Campaign?,
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
    try await Meeting(campaignID: id).save(on: db)
    try await assignCheckInCodes(campaignID: id, on: db)
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
