import Fluent
import PingyiCore
import Vapor

/// Accounts. A system admin manages every account; a campaign admin manages the meeting staff and reportees of
/// its own subtree, never another admin.
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
        let actor = try await req.actor()
        let names = try await unitNames(on: req.db)
        return try await User.query(on: req.db).sort(\.$username).all()
            .filter { canManage(actor, $0) }
            .map { try UserAdminDTO($0, unitNames: names) }
    }

    @Sendable
    func create(req: Request) async throws -> Response {
        let actor = try await req.actor()
        let body = try req.content.decode(UserCreateRequest.self)
        let username = body.username.trimmingCharacters(in: .whitespaces)
        guard (2...50).contains(username.count), username.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) else {
            throw APIError(.unprocessableEntity, "invalid", "用户名应为 2 到 50 个字母、数字或 . _ -")
        }
        let displayName = try requireText(body.displayName, "姓名", max: 50)
        let role = try parseRole(body.role)
        try validateNewPassword(body.password)
        let user = User(username: username, passwordHash: try await req.password.async.hash(body.password).get(),
                        displayName: displayName, role: role, orgUnitID: body.orgUnitID)
        try await checkAssignable(actor, role: role, orgUnitID: body.orgUnitID, on: req.db)
        try await req.db.writeTransaction { db in
            guard try await User.query(on: db).filter(\.$username == username).count() == 0 else {
                throw APIError.conflict("用户名“\(username)”已被使用")
            }
            try await user.save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: nil, action: "user.create",
                                  summary: "创建账号 \(username)（\(role.label)）", after: UserAudit(user))
        }
        return try created(try UserAdminDTO(user, unitNames: try await unitNames(on: req.db)))
    }

    @Sendable
    func update(req: Request) async throws -> UserAdminDTO {
        let actor = try await req.actor()
        let user = try await findManagedUser(req.parameters.get("userID"), actor: actor, on: req.db)
        let body = try req.content.decode(UserUpdateRequest.self)
        let before = UserAudit(user)
        if let name = body.displayName { user.displayName = try requireText(name, "姓名", max: 50) }
        let role = try body.role.map(parseRole) ?? user.role
        let unit = body.orgUnitID ?? user.$orgUnit.id
        if body.role != nil || body.orgUnitID != nil {
            guard user.id != actor.id else { throw APIError(.unprocessableEntity, "invalid", "不能修改自己的角色或所属组织") }
            try await checkAssignable(actor, role: role, orgUnitID: unit, on: req.db)
            user.role = role
            user.$orgUnit.id = unit
        }
        var endSessions = false
        if let password = body.password {
            // One's own password changes only through /me/password, which asks for the current one.
            guard user.id != actor.id else { throw APIError(.unprocessableEntity, "invalid", "请在“修改密码”中修改自己的密码") }
            try validateNewPassword(password)
            user.passwordHash = try await req.password.async.hash(password).get()
            endSessions = true
        }
        if body.unlock == true {
            user.lockedUntil = nil
            user.failedLogins = 0
            await req.application.loginThrottle.clear(username: user.username)
        }
        let resetPassword = endSessions
        try await req.db.writeTransaction { db in
            try await user.save(on: db)
            if resetPassword { try await UserToken.query(on: db).filter(\.$user.$id == user.requireID()).delete() }
            try await recordAudit(on: db, actor: actor, campaignID: nil, action: "user.update",
                                  summary: "修改账号 \(user.username)" + (resetPassword ? "（重置密码）" : ""),
                                  before: before, after: UserAudit(user))
        }
        return try UserAdminDTO(user, unitNames: try await unitNames(on: req.db))
    }

    @Sendable
    func delete(req: Request) async throws -> HTTPStatus {
        let actor = try await req.actor()
        let user = try await findManagedUser(req.parameters.get("userID"), actor: actor, on: req.db)
        guard user.id != actor.id else { throw APIError(.unprocessableEntity, "invalid", "不能删除自己的账号") }
        try await req.db.writeTransaction { db in
            try await Reportee.query(on: db).filter(\.$user.$id == user.requireID()).set(\.$user.$id, to: nil).update()
            try await UserToken.query(on: db).filter(\.$user.$id == user.requireID()).delete()
            try await user.delete(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: nil, action: "user.delete",
                                  summary: "删除账号 \(user.username)", before: UserAudit(user))
        }
        return .noContent
    }
}

/// What the audit log keeps of an account (never the password hash).
struct UserAudit: Encodable {
    var username: String
    var displayName: String
    var role: String
    var orgUnitID: UUID?

    init(_ user: User) {
        username = user.username
        displayName = user.displayName
        role = user.role.rawValue
        orgUnitID = user.$orgUnit.id
    }
}

/// Roles a campaign admin may hand out; admins are made by a system admin only.
let staffRoles: Set<User.Role> = [.chair, .teller, .scrutineer, .reportee]

func canManage(_ actor: Actor, _ user: User) -> Bool {
    if actor.isSystemAdmin { return true }
    guard actor.role == .campaignAdmin, staffRoles.contains(user.role), let unit = user.$orgUnit.id else { return false }
    return actor.scope.contains(unit)
}

func findManagedUser(_ rawID: String?, actor: Actor, on db: any Database) async throws -> User {
    guard let rawID, let id = UUID(uuidString: rawID), let user = try await User.find(id, on: db), canManage(actor, user) else {
        throw APIError.notFound("账号")
    }
    return user
}

/// A non-system account needs an org unit; a campaign admin may assign only staff roles within its own subtree.
func checkAssignable(_ actor: Actor, role: User.Role, orgUnitID: UUID?, on db: any Database) async throws {
    if role != .systemAdmin {
        guard let orgUnitID, try await OrgUnit.find(orgUnitID, on: db) != nil else {
            throw APIError(.unprocessableEntity, "invalid", "请选择所属组织")
        }
        guard actor.scope.contains(orgUnitID) else { throw APIError.notFound("组织") }
    }
    guard actor.isSystemAdmin || staffRoles.contains(role) else {
        throw APIError(.forbidden, "forbidden", "只有系统管理员可以创建管理员账号")
    }
}

func parseRole(_ raw: String) throws -> User.Role {
    guard let role = User.Role(rawValue: raw) else {
        throw APIError(.unprocessableEntity, "invalid", "角色无效：\(raw.prefix(40))")
    }
    return role
}

/// Trims a required text field and checks its length.

func unitNames(on db: any Database) async throws -> [UUID: String] {
    Dictionary(try await OrgUnit.query(on: db).all().compactMap { unit in unit.id.map { ($0, unit.name) } },
               uniquingKeysWith: { a, _ in a })
}
