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
    switch try await CampaignVisibility.of(actor, on: db) {
    case .all: break
    case .campaigns(let ids): query = query.filter(\.$id ~~ ids)
    case .units(let units): query = query.filter(\.$orgUnit.$id ~~ units)
    }
    return query.sort(\.$year, .descending).sort(\.$title)
}

/// Which campaigns an account may see: every one (a system admin), those of its units (an admin or the meeting
/// staff of a town), or those it reports in (a secretary).
enum CampaignVisibility: Sendable {
    case all
    case units([UUID])
    case campaigns([UUID])

    static func of(_ actor: Actor, on db: any Database) async throws -> CampaignVisibility {
        if actor.role == .reportee {
            return .campaigns(try await Reportee.query(on: db).filter(\.$user.$id == actor.id).all().map(\.$campaign.id))
        }
        if let units = actor.scope.unitIDs { return .units(Array(units)) }
        return .all
    }
}

extension CampaignAccess {
    /// The old name of `.staff`, for the handlers not yet moved to `req.campaign()` (issue 23).
    static var checkIn: CampaignAccess { .staff }
}
