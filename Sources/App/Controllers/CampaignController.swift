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

/// Checks and completes submitted forms: ids are assigned where missing, names trimmed, one 总体评价 per form.
func normalizedForms(_ inputs: [FormInput]) throws -> [FormTemplate] {
    guard (1...10).contains(inputs.count) else { throw APIError(.unprocessableEntity, "invalid", "评议表应有 1 到 10 张") }
    var usedIDs = Set(inputs.compactMap(\.id).filter { !$0.isEmpty })
    var forms: [FormTemplate] = []
    for (offset, input) in inputs.enumerated() {
        let label = "第 \(offset + 1) 张评议表"
        var id = (input.id ?? "").trimmingCharacters(in: .whitespaces)
        guard id.count <= 40, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw APIError(.unprocessableEntity, "invalid", "\(label)的编号只能由字母、数字和下划线组成")
        }
        if id.isEmpty {
            var n = offset + 1
            while usedIDs.contains("form\(n)") { n += 1 }
            id = "form\(n)"
            usedIDs.insert(id)
        }
        guard (1...12).contains(input.columns.count) else {
            throw APIError(.unprocessableEntity, "invalid", "\(label)应有 1 到 12 个栏目")
        }
        let isColumnID = { (id: String) in
            !id.isEmpty && id.count <= 40 && id != FormTemplate.overallColumnID
                && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        }
        // New columns get `itemN` ids that clash with no id the client sent, so kept ids keep their meaning.
        let sentIDs = Set(input.columns.compactMap { $0.id?.trimmingCharacters(in: .whitespaces) })
        var taken = Set<String>()
        var columns: [FormColumn] = []
        for column in input.columns {
            guard let kind = FormColumn.Kind(rawValue: column.kind) else {
                throw APIError(.unprocessableEntity, "invalid", "\(label)的栏目类型只能是 overall 或 item")
            }
            let name = try requireText(column.name, "\(label)的栏目名称", max: 50)
            if kind == .overall {
                columns.append(FormColumn(id: FormTemplate.overallColumnID, name: name, kind: .overall))
                continue
            }
            var columnID = (column.id ?? "").trimmingCharacters(in: .whitespaces)
            if !isColumnID(columnID) || taken.contains(columnID) {
                var n = 1
                while taken.contains("item\(n)") || sentIDs.contains("item\(n)") { n += 1 }
                columnID = "item\(n)"
            }
            taken.insert(columnID)
            columns.append(FormColumn(id: columnID, name: name, kind: .item))
        }
        let form = FormTemplate(id: id, name: try requireText(input.name, "\(label)的名称", max: 50), columns: columns)
        do {
            try form.validate()
        } catch {
            throw APIError(.unprocessableEntity, "invalid_rules", error.message)
        }
        forms.append(form)
    }
    guard Set(forms.map(\.id)).count == forms.count else { throw APIError(.unprocessableEntity, "invalid", "评议表编号重复") }
    return forms
}

func parseLevel(_ raw: String) throws -> CampaignLevel {
    guard let level = CampaignLevel(rawValue: raw) else {
        throw APIError(.unprocessableEntity, "invalid", "层级应为 district（区级）、town（镇级）或 community（社区级）")
    }
    return level
}
