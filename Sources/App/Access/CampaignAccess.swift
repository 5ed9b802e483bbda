import Fluent
import Vapor

/// What an account wants to do with a campaign.
enum CampaignAccess: Sendable {
    /// Read the set-up (forms, reportees, rules).
    case view
    /// Read the participant list (names): admins and meeting staff, not reportees.
    case viewParticipants
    /// Change the set-up: admins in scope only.
    case manage
    /// Drive the meeting from the console: admins and the chair, in scope.
    case chair
    /// Work the meeting's door and count (check-in, rounds, paper, scans): admins and meeting staff, in scope.
    case staff
}

/// Loads a campaign the actor may access as asked. Out of scope answers 404, the same as a missing campaign, so
/// ids leak nothing; in scope but the wrong role answers 403.
func findCampaign(_ rawID: String?, for actor: Actor, _ access: CampaignAccess, on db: any Database) async throws -> Campaign {
    guard let rawID, let id = UUID(uuidString: rawID), let campaign = try await Campaign.find(id, on: db) else {
        throw APIError.notFound("评议活动")
    }
    if actor.isSystemAdmin { return campaign }
    let inScope = actor.scope.contains(campaign.$orgUnit.id)
    switch actor.role {
    case .systemAdmin:
        return campaign
    case .campaignAdmin:
        guard inScope else { throw APIError.notFound("评议活动") }
        return campaign
    case .chair, .teller, .scrutineer:
        guard inScope else { throw APIError.notFound("评议活动") }
        guard access.admits(actor.role) else { throw APIError.forbidden }
        return campaign
    case .reportee:
        let linked = try await Reportee.query(on: db).filter(\.$campaign.$id == id).filter(\.$user.$id == actor.id).count() > 0
        guard linked else { throw APIError.notFound("评议活动") }
        guard access.admits(actor.role) else { throw APIError.forbidden }
        return campaign
    }
}

/// Campaigns the actor may see, newest year first.
func visibleCampaigns(for actor: Actor, on db: any Database) async throws -> [Campaign] {
    try await visibleCampaignsQuery(for: actor, on: db).all()
}

/// The campaigns `actor` may see, newest year first, as a query (a caller may load only some columns).
func visibleCampaignsQuery(for actor: Actor, on db: any Database) async throws -> QueryBuilder<Campaign> {
    var query = Campaign.query(on: db)
    if actor.role == .reportee {
        let ids = try await Reportee.query(on: db).filter(\.$user.$id == actor.id).all().map(\.$campaign.id)
        query = query.filter(\.$id ~~ ids)
    } else if let units = actor.scope.unitIDs {
        query = query.filter(\.$orgUnit.$id ~~ Array(units))
    }
    return query.sort(\.$year, .descending).sort(\.$title)
}

extension CampaignAccess {
    /// The old name of `.staff`, for the handlers not yet moved to `req.campaign()` (issue 23).
    static var checkIn: CampaignAccess { .staff }
}
