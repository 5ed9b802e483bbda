import Fluent
import PingyiCore
import Vapor

/// Accounts. A system admin manages every account; a campaign admin manages the meeting staff and reportees of
/// its own subtree, never another admin. The work is `Accounts`'s.
struct UserController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let users = routes.apiV1().grouped("users")
        users.get(use: list).requiring(.admins)
        users.post(use: create).requiring(.admins)
        users.patch(":userID", use: update).requiring(.admins)
        users.delete(":userID", use: delete).requiring(.admins)
    }

    @Sendable
    func list(req: Request) async throws -> [UserAdminDTO] {
        try await Directory.managedAccounts(for: try await req.actor(), on: req.db)
    }

    @Sendable
    func create(req: Request) async throws -> Response {
        let actor = try await req.actor()
        let body = try req.content.decode(UserCreateRequest.self)
        let user = try await Accounts.createAccount(body, hashing: req.password.async, by: actor, on: req.db)
        return try created(try await Directory.account(user, on: req.db))
    }

    @Sendable
    func update(req: Request) async throws -> UserAdminDTO {
        let actor = try await req.actor()
        let user = try await Accounts.managedAccount(req.parameters.get("userID"), by: actor, on: req.db)
        let body = try req.content.decode(UserUpdateRequest.self)
        try await Accounts.updateAccount(user, with: body, hashing: req.password.async, throttle: req.application.loginThrottle,
                                         by: actor, on: req.db)
        return try await Directory.account(user, on: req.db)
    }

    @Sendable
    func delete(req: Request) async throws -> HTTPStatus {
        let actor = try await req.actor()
        let user = try await Accounts.managedAccount(req.parameters.get("userID"), by: actor, on: req.db)
        try await Accounts.deleteAccount(user, by: actor, on: req.db)
        return .noContent
    }
}
