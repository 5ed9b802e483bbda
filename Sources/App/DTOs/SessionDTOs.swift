import Foundation
import Vapor

struct LoginRequest: Content {
    var username: String
    var password: String
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
    var token: String
    var expiresAt: Date
    var user: UserDTO
}

struct HealthDTO: Content {
    var status: String
    var database: String
    var version: String
}
