import Fluent
import PingyiCore
import Vapor

/// 评议人类别 of a campaign. Their weights live in the campaign's rules, keyed by group id. The work is `CampaignPeople`'s.
extension CampaignController {
    func bootRaterGroups(_ campaign: any RoutesBuilder) {
        let groups = campaign.grouped("rater-groups")
        groups.post(use: createRaterGroup).requiring(.manage)
        groups.patch(":groupID", use: updateRaterGroup).requiring(.manage)
        groups.delete(":groupID", use: deleteRaterGroup).requiring(.manage)
    }

    @Sendable
    func createRaterGroup(req: Request) async throws -> Response {
        let (actor, campaign) = try await req.campaign(allowing: \.allowsSetupChanges, "评议人类别")
        let body = try req.content.decode(RaterGroupCreateRequest.self)
        _ = try await CampaignPeople.addRaterGroup(body, to: campaign, by: actor, on: req.db)
        return try created(try await campaignDetail(campaign, for: actor, on: req.db))
    }

    @Sendable
    func updateRaterGroup(req: Request) async throws -> CampaignDetailDTO {
        let (actor, campaign) = try await req.campaign(allowing: \.allowsSetupChanges, "评议人类别")
        let group = try await req.child(RaterGroup.self, "groupID", of: campaign, "评议人类别")
        let body = try req.content.decode(RaterGroupUpdateRequest.self)
        try await CampaignPeople.updateRaterGroup(group, with: body, in: campaign, by: actor, on: req.db)
        return try await campaignDetail(campaign, for: actor, on: req.db)
    }

    @Sendable
    func deleteRaterGroup(req: Request) async throws -> CampaignDetailDTO {
        let (actor, campaign) = try await req.campaign(allowing: \.allowsSetupChanges, "评议人类别")
        let group = try await req.child(RaterGroup.self, "groupID", of: campaign, "评议人类别")
        try await CampaignPeople.deleteRaterGroup(group, of: campaign, by: actor, on: req.db)
        return try await campaignDetail(campaign, for: actor, on: req.db)
    }
}
