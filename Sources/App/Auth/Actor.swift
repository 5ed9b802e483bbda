import Fluent
import PingyiCore
import Vapor

/// The logged-in account and the org units it may reach.
struct Actor: Sendable {
    let user: User
    let scope: OrgScope

    var id: UUID { user.id! }
    var role: User.Role { user.role }
    var isSystemAdmin: Bool { user.role == .systemAdmin }
    /// May set up campaigns, org units and accounts within its scope.
    var isAdmin: Bool { user.role == .systemAdmin || user.role == .campaignAdmin }
    /// Runs the meeting or the count: sees campaigns in scope but does not set them up.
    var isMeetingStaff: Bool { [.chair, .teller, .scrutineer].contains(user.role) }

    /// May set up this campaign: an admin whose scope holds the campaign's unit (the rule `.manage` access applies).
    func manages(_ campaign: Campaign) -> Bool {
        isAdmin && (isSystemAdmin || scope.contains(campaign.$orgUnit.id))
    }
}

extension Request {
    /// The logged-in account with its scope, or 401.
    func actor() async throws -> Actor {
        let user = try requireUser()
        return Actor(user: user, scope: try await OrgScope.of(user, on: db))
    }
}

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
    /// Check people in at the door: admins and meeting staff, in scope.
    case checkIn
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
        guard access != .manage, access != .chair || actor.role == .chair else { throw APIError.forbidden }
        return campaign
    case .reportee:
        let linked = try await Reportee.query(on: db).filter(\.$campaign.$id == id).filter(\.$user.$id == actor.id).count() > 0
        guard linked else { throw APIError.notFound("评议活动") }
        guard access == .view else { throw APIError.forbidden }
        return campaign
    }
}

/// Campaigns the actor may see, newest year first.
func visibleCampaigns(for actor: Actor, on db: any Database) async throws -> [Campaign] {
    var query = Campaign.query(on: db)
    if actor.role == .reportee {
        let ids = try await Reportee.query(on: db).filter(\.$user.$id == actor.id).all().map(\.$campaign.id)
        query = query.filter(\.$id ~~ ids)
    } else if let units = actor.scope.unitIDs {
        query = query.filter(\.$orgUnit.$id ~~ Array(units))
    }
    return try await query.sort(\.$year, .descending).sort(\.$title).all()
}

extension Campaign {
    /// Refuses a change the campaign's phase does not allow.
    func require(_ allowed: (CampaignPhase) -> Bool, _ what: String) throws {
        try status.require(allowed, what)
    }
}

extension CampaignPhase {
    /// Refuses a change this phase does not allow (also for a phase read under the campaign's lock).
    func require(_ allowed: (CampaignPhase) -> Bool, _ what: String) throws {
        guard allowed(self) else { throw APIError.lifecycle(.locked(self, what: what)) }
    }
}

extension APIError {
    static func lifecycle(_ error: LifecycleError) -> APIError { APIError(.conflict, "wrong_state", error.message) }
}
