import Fluent
import PingyiCore
import Vapor

/// One preamble per resource. The route's declared `Policy` has already admitted the account and the campaign
/// (`PolicyMiddleware`); these hand them to the handler, with the campaign's phase rule or the child row it names.
extension Request {
    /// The account and the campaign of `:campaignID`, as the route's policy admitted them.
    func campaign() async throws -> (Actor, Campaign) {
        guard let campaign = admitted else {
            throw APIError(.internalServerError, "internal", "路由未声明评议活动的访问规则")
        }
        return (try await actor(), campaign)
    }

    /// The account and the campaign, if the campaign's phase allows changing `what`; else 409 (`wrong_state`).
    func campaign(allowing allowed: (CampaignPhase) -> Bool, _ what: String) async throws -> (Actor, Campaign) {
        let (actor, campaign) = try await campaign()
        try campaign.require(allowed, what)
        return (actor, campaign)
    }

    /// The account, the campaign and its ballot round of `:roundID` (another campaign's round: 404).
    func round() async throws -> (Actor, Campaign, BallotRound) {
        let (actor, campaign) = try await campaign()
        guard let raw = parameters.get("roundID"), let id = UUID(uuidString: raw), let round = try await BallotRound.find(id, on: db),
              round.$campaign.id == campaign.id else { throw APIError.notFound("投票轮次") }
        return (actor, campaign, round)
    }

    /// The row of `campaign` named by the route parameter `parameter`; a missing row or another campaign's: 404 `what`.
    func child<T: CampaignChild>(_ type: T.Type, _ parameter: String, of campaign: Campaign, _ what: String) async throws -> T {
        try await findChild(type, parameters.get(parameter), in: campaign, what, on: db)
    }

    /// The row of `campaign` with the id the request's body names; a missing row or another campaign's: 404 `what`.
    func child<T: CampaignChild>(_ type: T.Type, id: UUID, of campaign: Campaign, _ what: String) async throws -> T {
        try await findChild(type, id.uuidString, in: campaign, what, on: db)
    }
}

/// A row that belongs to one campaign.
protocol CampaignChild: Model where IDValue == UUID {
    var campaignID: UUID { get }
}

/// A row that belongs to a campaign and has a place in its order.
protocol CampaignOrdered: CampaignChild {
    var position: Int { get set }
}

extension RaterGroup: CampaignOrdered { var campaignID: UUID { $campaign.id } }
extension Reportee: CampaignOrdered { var campaignID: UUID { $campaign.id } }
extension Participant: CampaignOrdered { var campaignID: UUID { $campaign.id } }

/// Finds a row of this campaign, or 404 — a row of another campaign is "not found" too.
func findChild<T: CampaignChild>(_ type: T.Type, _ rawID: String?, in campaign: Campaign, _ what: String,
                                 on db: any Database) async throws -> T {
    guard let rawID, let id = UUID(uuidString: rawID), let row = try await T.find(id, on: db),
          row.campaignID == campaign.id else {
        throw APIError.notFound(what)
    }
    return row
}
