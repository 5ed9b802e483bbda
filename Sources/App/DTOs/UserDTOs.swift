import Foundation
import Vapor

struct UserCreateRequest: Content {
    var username: String
    var displayName: String
    var role: String
    var orgUnitID: UUID?
    var password: String
}

struct UserUpdateRequest: Content {
    var displayName: String?
    var role: String?
    var orgUnitID: UUID?
    /// Sets a new password (an admin's reset); the account's sessions end.
    var password: String?
    /// Clears a lock-out.
    var unlock: Bool?
}

struct UserAdminDTO: Content {
    var id: UUID
    var username: String
    var displayName: String
    var role: String
    var roleLabel: String
    var orgUnitID: UUID?
    var orgUnitName: String?
    var locked: Bool

    init(_ user: User, unitNames: [UUID: String]) throws {
        id = try user.requireID()
        username = user.username
        displayName = user.displayName
        role = user.role.rawValue
        roleLabel = user.role.label
        orgUnitID = user.$orgUnit.id
        orgUnitName = user.$orgUnit.id.flatMap { unitNames[$0] }
        locked = (user.lockedUntil ?? .distantPast) > Date()
    }
}
