import Fluent
import Vapor

/// An account. Voters have no account: they vote with one-time codes.
final class User: Model, Authenticatable, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Field(key: "username") var username: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "display_name") var displayName: String
    @Field(key: "role") var role: Role
    /// The subtree this account may see; `nil` for a system admin.
    @OptionalParent(key: "org_unit_id") var orgUnit: OrgUnit?
    @Field(key: "failed_logins") var failedLogins: Int
    @OptionalField(key: "locked_until") var lockedUntil: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(id: UUID? = nil, username: String, passwordHash: String, displayName: String, role: Role, orgUnitID: UUID? = nil) {
        self.id = id
        self.username = username
        self.passwordHash = passwordHash
        self.displayName = displayName
        self.role = role
        self.$orgUnit.id = orgUnitID
        self.failedLogins = 0
        self.lockedUntil = nil
    }

    enum Role: String, Codable, CaseIterable, Sendable {
        case systemAdmin = "system_admin"
        case campaignAdmin = "campaign_admin"
        case chair
        /// 计票人
        case teller
        /// 监票人
        case scrutineer
        /// 述职对象
        case reportee

        var label: String {
            switch self {
            case .systemAdmin: "系统管理员"
            case .campaignAdmin: "活动管理员"
            case .chair: "主持人"
            case .teller: "计票人"
            case .scrutineer: "监票人"
            case .reportee: "述职对象"
            }
        }
    }
}

/// A bearer token for the API, stored only as its SHA-256.
final class UserToken: Model, @unchecked Sendable {
    static let schema = "user_tokens"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "expires_at") var expiresAt: Date
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(userID: UUID, tokenHash: String, expiresAt: Date) {
        self.$user.id = userID
        self.tokenHash = tokenHash
        self.expiresAt = expiresAt
    }
}
