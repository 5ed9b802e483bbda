import Fluent
import PingyiCore
import Vapor

/// The accounts and org units an admin sees: the reads behind the account and org-tree pages.
enum Directory {
    /// The accounts the actor may manage (`Actor.mayManage(_:)`), by username.
    static func managedAccounts(for actor: Actor, on db: any Database) async throws -> [UserAdminDTO] {
        let names = try await unitNames(on: db)
        return try await User.query(on: db).sort(\.$username).all()
            .filter { actor.mayManage($0) }
            .map { try UserAdminDTO($0, unitNames: names) }
    }

    /// One account as the account page shows it.
    static func account(_ user: User, on db: any Database) async throws -> UserAdminDTO {
        try UserAdminDTO(user, unitNames: try await unitNames(on: db))
    }

    /// The org units in the actor's scope, in their order.
    static func units(for actor: Actor, on db: any Database) async throws -> [OrgUnitDTO] {
        try await OrgUnit.query(on: db).sort(\.$position).sort(\.$name).all()
            .filter { actor.scope.contains($0.id!) }
            .map(OrgUnitDTO.init)
    }
}

/// Every org unit's name by id.
func unitNames(on db: any Database) async throws -> [UUID: String] {
    Dictionary(try await OrgUnit.query(on: db).all().compactMap { unit in unit.id.map { ($0, unit.name) } },
               uniquingKeysWith: { a, _ in a })
}
