import Fluent
import Vapor

/// Who a route admits, declared where the route is registered (`route.requiring(…)`) and enforced for every request by
/// `PolicyMiddleware` before the handler runs. `RouteAccessMatrixTests` checks the outcome route by route and role by
/// role, independently of this declaration.
///
/// The order of the answers: no account → 401; a campaign out of the account's scope (or missing) → 404, so ids leak
/// nothing; in scope but not admitted by the campaign access or the roles → 403.
struct Policy: Sendable {
    enum Subject: Sendable {
        /// No account needed (login, the public notices, the projector's state by its token).
        case anyone
        /// Any logged-in account; the handler narrows to what the account may see.
        case account
        /// The campaign of the route's `:campaignID`, admitted as `CampaignAccess` says.
        case campaign(CampaignAccess)
    }

    var subject: Subject
    /// The roles let through (after the campaign's scope); `nil`: every role the subject admits.
    var roles: Set<User.Role>?
    /// What a refused role is told; `nil`: the plain 403.
    var refusal: String?

    static let anyone = Policy(subject: .anyone)
    static let account = Policy(subject: .account)
    /// Admins (system or campaign) only: accounts, the org tree, new campaigns, the overview, the ledger's own views.
    static let admins = Policy(subject: .account, roles: User.Role.admins)
    /// The system admin only.
    static let systemAdmin = Policy(subject: .account, roles: [.systemAdmin])
    static func campaign(_ access: CampaignAccess, roles: Set<User.Role>? = nil, refusal: String? = nil) -> Policy {
        Policy(subject: .campaign(access), roles: roles, refusal: refusal)
    }
}

extension User.Role {
    /// An account of this role belongs to an org unit (a system admin's reach is the whole tree).
    var needsOrgUnit: Bool { self != .systemAdmin }

    /// 系统管理员 and 组织部 staff.
    static let admins: Set<User.Role> = [.systemAdmin, .campaignAdmin]
    /// The roles a campaign admin may hand out: meeting staff and reportees.
    static let staff: Set<User.Role> = [.chair, .teller, .scrutineer, .reportee]
}

extension Route {
    private static let policyKey = "pingyi.policy"

    /// The access policy this route was registered with.
    var policy: Policy? { userInfo[Self.policyKey] as? Policy }

    /// Declares who this route admits (see `Policy`).
    @discardableResult
    func requiring(_ policy: Policy) -> Route {
        userInfo[Self.policyKey] = policy
        return self
    }

    /// Declares a campaign route: the campaign access it needs and, if narrower, the roles it admits.
    @discardableResult
    func requiring(_ access: CampaignAccess, roles: Set<User.Role>? = nil, refusal: String? = nil) -> Route {
        requiring(.campaign(access, roles: roles, refusal: refusal))
    }
}

/// Enforces the route's declared `Policy`: the one place an API route's account, campaign scope and role are checked.
/// A route under `/api/v1` that declares nothing needs an account (the safe default); `ArchitectureFitnessTests`
/// requires every route to declare one.
struct PolicyMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let policy = req.route?.policy ?? .account
        switch policy.subject {
        case .anyone:
            return try await next.respond(to: req)
        case .account:
            _ = try await req.actor()
        case .campaign(let access):
            let actor = try await req.actor()
            req.admitted = try await findCampaign(req.parameters.get("campaignID"), for: actor, access, on: req.db)
        }
        if let roles = policy.roles, !roles.contains(try await req.actor().role) {
            throw policy.refusal.map { APIError(.forbidden, "forbidden", $0) } ?? APIError.forbidden
        }
        return try await next.respond(to: req)
    }
}

extension Request {
    private struct AdmittedCampaignKey: StorageKey { typealias Value = Campaign }

    /// The campaign `PolicyMiddleware` admitted for this request.
    fileprivate(set) var admitted: Campaign? {
        get { storage[AdmittedCampaignKey.self] }
        set { storage[AdmittedCampaignKey.self] = newValue }
    }
}
