import Foundation
import Vapor

struct LoginRequest: Content {
    var username: String
    var password: String
    /// `token` (default) or `cookie`.
    var mode: String?
}

struct PasswordChangeRequest: Content {
    var currentPassword: String
    var newPassword: String
}

struct MeDTO: Content {
    var user: UserDTO
    /// Present when the request came with the session cookie: the page sends it back in `X-CSRF-Token`.
    var csrfToken: String?
    /// What this account may do (roles it may create, top-level units, demo data, own results).
    var may: AccountCapabilities?
}

struct UserDTO: Content {
    var id: UUID
    var username: String
    var displayName: String
    var role: String
    var roleLabel: String
    var orgUnitID: UUID?

    init(_ user: User) throws {
        id = try user.requireID()
        username = user.username
        displayName = user.displayName
        role = user.role.rawValue
        roleLabel = user.role.label
        orgUnitID = user.$orgUnit.id
    }
}

struct SessionDTO: Content {
    var token: String?
    var csrfToken: String?
    var expiresAt: Date
    var user: UserDTO
}

struct HealthDTO: Content {
    var status: String
    var database: String
    var version: String
}
