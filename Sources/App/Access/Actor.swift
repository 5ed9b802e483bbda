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

    /// May manage this account: a system admin any; a campaign admin the staff and reportees of its own subtree.
    func mayManage(_ user: User) -> Bool {
        if isSystemAdmin { return true }
        guard role == .campaignAdmin, User.Role.staff.contains(user.role), let unit = user.$orgUnit.id else { return false }
        return scope.contains(unit)
    }

    /// May give an account this role: admins are made by a system admin only.
    func mayAssign(_ role: User.Role) -> Bool { isSystemAdmin || User.Role.staff.contains(role) }

    /// Has results of its own to read (a secretary's account is linked to their 述职对象).
    var hasOwnResults: Bool { role == .reportee }

    /// May create an org unit at the top of the tree.
    var mayCreateTopLevelUnits: Bool { isSystemAdmin }

    /// May drive the meeting from the console (what `.chair` access admits in scope): admins and the chair.
    var chairs: Bool { isAdmin || role == .chair }

    /// May upload or remove a secretary's written report: the campaign's admins, or that secretary.
    func mayChangeReport(of reportee: Reportee, in campaign: Campaign) -> Bool {
        manages(campaign) || reportee.$user.id == id
    }

    /// Is the secretary `reportee` stands for (their own account).
    func isSecretary(_ reportee: Reportee) -> Bool {
        role == .reportee && reportee.$user.id == id
    }

    /// May read `reportee`'s result sheet: the campaign's admins, or that secretary once the results are published.
    func mayReadResult(of reportee: Reportee, in campaign: Campaign) -> Bool {
        manages(campaign) || (isSecretary(reportee) && campaign.status.resultsArePublished)
    }
}

extension Request {
    private struct ActorKey: StorageKey { typealias Value = Actor }

    /// The logged-in account with its scope, or 401. Loaded once per request (the access policy loads it first).
    func actor() async throws -> Actor {
        if let actor = storage[ActorKey.self] { return actor }
        let user = try requireUser()
        let actor = Actor(user: user, scope: try await OrgScope.of(user, on: db))
        storage[ActorKey.self] = actor
        return actor
    }
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
