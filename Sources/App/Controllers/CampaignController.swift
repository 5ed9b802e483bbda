import Fluent
import Vapor

struct CampaignController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("api", "v1").grouped(BearerTokenAuthenticator())
        api.get("campaigns", use: list)
        api.get("campaigns", ":campaignID", use: detail)
        api.delete("demo", use: removeDemo)
    }

    @Sendable
    func list(req: Request) async throws -> [CampaignSummaryDTO] {
        let user = try req.requireUser()
        let scope = try await OrgScope.of(user, on: req.db)
        return try await visibleCampaigns(scope: scope, on: req.db).map(CampaignSummaryDTO.init)
    }

    @Sendable
    func detail(req: Request) async throws -> CampaignDetailDTO {
        let user = try req.requireUser()
        let campaign = try await findCampaign(req.parameters.get("campaignID"), for: user, on: req.db)
        return try await campaignDetail(campaign, on: req.db)
    }

    @Sendable
    func removeDemo(req: Request) async throws -> DemoRemovalDTO {
        let user = try req.requireUser()
        guard user.role == .systemAdmin else { throw APIError.forbidden }
        let removed = try await DemoCampaign.remove(on: req.db)
        req.logger.info("demo data removed", metadata: ["campaigns": "\(removed.campaigns)"])
        return DemoRemovalDTO(removedCampaigns: removed.campaigns, removedOrgUnits: removed.orgUnits)
    }
}

/// Campaigns the scope may see, newest year first.
func visibleCampaigns(scope: OrgScope, on db: any Database) async throws -> [Campaign] {
    var query = Campaign.query(on: db)
    if let units = scope.unitIDs { query = query.filter(\.$orgUnit.$id ~~ Array(units)) }
    return try await query.sort(\.$year, .descending).sort(\.$title).all()
}

/// A campaign the user may see, or 404 — the same answer for "does not exist" and "not yours", so ids leak nothing.
func findCampaign(_ rawID: String?, for user: User, on db: any Database) async throws -> Campaign {
    guard let rawID, let id = UUID(uuidString: rawID), let campaign = try await Campaign.find(id, on: db) else {
        throw APIError.notFound("评议活动")
    }
    let scope = try await OrgScope.of(user, on: db)
    guard scope.contains(campaign.$orgUnit.id) else { throw APIError.notFound("评议活动") }
    return campaign
}

func campaignDetail(_ campaign: Campaign, on db: any Database) async throws -> CampaignDetailDTO {
    let id = try campaign.requireID()
    let groups = try await RaterGroup.query(on: db).filter(\.$campaign.$id == id).sort(\.$position).all()
    let reportees = try await Reportee.query(on: db).filter(\.$campaign.$id == id).sort(\.$position).all()
    let participants = try await Participant.query(on: db).filter(\.$campaign.$id == id).all()
    let count = { (role: ParticipantRole) in participants.filter { $0.role == role }.count }
    return CampaignDetailDTO(
        campaign: try CampaignSummaryDTO(campaign),
        forms: campaign.forms,
        rules: campaign.rules,
        raterGroups: try groups.map { group in
            let groupID = try group.requireID()
            return RaterGroupDTO(id: groupID, name: group.name, weight: campaign.rules.raterGroupWeights[groupID.uuidString])
        },
        reportees: try reportees.map(ReporteeDTO.init),
        participants: ParticipantCountsDTO(attendees: count(.attendee), observers: count(.observer), guests: count(.guest)))
}
