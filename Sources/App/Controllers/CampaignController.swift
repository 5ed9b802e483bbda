import Fluent
import PingyiCore
import Vapor

/// Campaigns (年度述职评议): listing, set-up, lifecycle and the audit log. Rater groups, reportees and participants
/// are in the `CampaignController+…` files. The work is `CampaignSetup`'s; the reads are `Queries/CampaignDetail`.
struct CampaignController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes.apiV1()
        api.delete("demo", use: removeDemo).requiring(.systemAdmin)
        let campaigns = api.grouped("campaigns")
        campaigns.get(use: list).requiring(.account)
        campaigns.post(use: create).requiring(.admins)
        let campaign = campaigns.grouped(":campaignID")
        campaign.get(use: detail).requiring(.view)
        campaign.patch(use: update).requiring(.manage)
        campaign.delete(use: delete).requiring(.manage)
        campaign.post("status", use: changeStatus).requiring(.manage)
        campaign.put("forms", use: replaceForms).requiring(.manage)
        campaign.put("rules", use: replaceRules).requiring(.manage)
        campaign.get("audit", use: auditLog).requiring(.manage)
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
        let (actor, campaign) = try await req.campaign()
        return try await campaignDetail(campaign, for: actor, on: req.db)
    }

    @Sendable
    func create(req: Request) async throws -> Response {
        let actor = try await req.actor()
        let body = try req.content.decode(CampaignCreateRequest.self)
        let campaign = try await CampaignSetup.createCampaign(body, by: actor, on: req.db)
        return try created(try await campaignDetail(campaign, for: actor, on: req.db))
    }

    @Sendable
    func update(req: Request) async throws -> CampaignDetailDTO {
        let (actor, campaign) = try await req.campaign(allowing: { !$0.isReadOnly }, "活动信息")
        let body = try req.content.decode(CampaignUpdateRequest.self)
        try await CampaignSetup.updateCampaign(campaign, with: body, by: actor, on: req.db)
        return try await campaignDetail(campaign, for: actor, on: req.db)
    }

    /// Deletes a campaign that is still being prepared and never opened a round: no route deletes a ballot or a code.
    @Sendable
    func delete(req: Request) async throws -> HTTPStatus {
        let (actor, campaign) = try await req.campaign()
        try await CampaignSetup.deleteCampaign(campaign, by: actor, on: req.db)
        return .noContent
    }

    @Sendable
    func changeStatus(req: Request) async throws -> CampaignDetailDTO {
        let (actor, campaign) = try await req.campaign()
        let body = try req.content.decode(StatusChangeRequest.self)
        try await CampaignSetup.changePhase(of: campaign, to: body.status, by: actor, on: req.db)
        return try await campaignDetail(campaign, for: actor, on: req.db)
    }

    @Sendable
    func replaceForms(req: Request) async throws -> CampaignDetailDTO {
        let (actor, campaign) = try await req.campaign(allowing: \.allowsSetupChanges, "评议表")
        try await CampaignSetup.replaceForms(try req.content.decode([FormInput].self), of: campaign, by: actor, on: req.db)
        return try await campaignDetail(campaign, for: actor, on: req.db)
    }

    @Sendable
    func replaceRules(req: Request) async throws -> CampaignDetailDTO {
        let (actor, campaign) = try await req.campaign(allowing: \.allowsSetupChanges, "评议规则")
        try await CampaignSetup.replaceRules(try req.content.decode(EvaluationRules.self), of: campaign, by: actor, on: req.db)
        return try await campaignDetail(campaign, for: actor, on: req.db)
    }

    @Sendable
    func auditLog(req: Request) async throws -> [AuditEntryDTO] {
        let (_, campaign) = try await req.campaign()
        return try await CampaignLog.entries(of: campaign, on: req.db)
    }

    @Sendable
    func removeDemo(req: Request) async throws -> DemoRemovalDTO {
        let removed = try await CampaignSetup.removeDemo(by: try await req.actor(), on: req.db)
        return DemoRemovalDTO(removedCampaigns: removed.campaigns, removedOrgUnits: removed.orgUnits)
    }
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
