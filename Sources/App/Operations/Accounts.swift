import Fluent
import PingyiCore
import Vapor

/// 账号: creating, editing and deleting accounts. A system admin manages every account; a campaign admin manages the
/// meeting staff and reportees of its own subtree, never another admin (`Actor.mayManage(_:)`). Each operation opens
/// its own write transaction and writes its audit entry (never a password hash).
enum Accounts {
    static func createAccount(_ body: UserCreateRequest, hashing hasher: AsyncPasswordHasher, by actor: Actor,
                              on db: any Database) async throws -> User {
        let username = body.username.trimmingCharacters(in: .whitespaces)
        guard (2...50).contains(username.count), username.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) else {
            throw APIError(.unprocessableEntity, "invalid", "用户名应为 2 到 50 个字母、数字或 . _ -")
        }
        let displayName = try requireText(body.displayName, "姓名", max: 50)
        let role = try parseRole(body.role)
        try validateNewPassword(body.password)
        let user = User(username: username, passwordHash: try await hasher.hash(body.password),
                        displayName: displayName, role: role, orgUnitID: body.orgUnitID)
        try await checkAssignable(actor, role: role, orgUnitID: body.orgUnitID, on: db)
        try await db.writeTransaction { db in
            guard try await User.query(on: db).filter(\.$username == username).count() == 0 else {
                throw APIError.conflict("用户名“\(username)”已被使用")
            }
            try await user.save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: nil, action: "user.create",
                                  summary: "创建账号 \(username)（\(role.label)）", after: UserAudit(user))
        }
        return user
    }

    /// Name, role and unit, a password reset (which ends the account's sessions) and unlocking after failed logins.
    /// One's own role, unit and password change elsewhere (the password through /me/password, which asks for the
    /// current one).
    static func updateAccount(_ user: User, with body: UserUpdateRequest, hashing hasher: AsyncPasswordHasher, throttle: LoginThrottle,
                              by actor: Actor, on db: any Database) async throws {
        let before = UserAudit(user)
        if let name = body.displayName { user.displayName = try requireText(name, "姓名", max: 50) }
        let role = try body.role.map(parseRole) ?? user.role
        let unit = body.orgUnitID ?? user.$orgUnit.id
        if body.role != nil || body.orgUnitID != nil {
            guard user.id != actor.id else { throw APIError(.unprocessableEntity, "invalid", "不能修改自己的角色或所属组织") }
            try await checkAssignable(actor, role: role, orgUnitID: unit, on: db)
            user.role = role
            user.$orgUnit.id = unit
        }
        var endSessions = false
        if let password = body.password {
            guard user.id != actor.id else { throw APIError(.unprocessableEntity, "invalid", "请在“修改密码”中修改自己的密码") }
            try validateNewPassword(password)
            user.passwordHash = try await hasher.hash(password)
            endSessions = true
        }
        if body.unlock == true {
            user.lockedUntil = nil
            user.failedLogins = 0
            await throttle.clear(username: user.username)
        }
        let resetPassword = endSessions
        try await db.writeTransaction { db in
            try await user.save(on: db)
            if resetPassword { try await UserToken.query(on: db).filter(\.$user.$id == user.requireID()).delete() }
            try await recordAudit(on: db, actor: actor, campaignID: nil, action: "user.update",
                                  summary: "修改账号 \(user.username)" + (resetPassword ? "（重置密码）" : ""),
                                  before: before, after: UserAudit(user))
        }
    }

    /// Deletes an account (never one's own): its sessions end and reportees it was linked to lose the link.
    static func deleteAccount(_ user: User, by actor: Actor, on db: any Database) async throws {
        guard user.id != actor.id else { throw APIError(.unprocessableEntity, "invalid", "不能删除自己的账号") }
        try await db.writeTransaction { db in
            try await Reportee.query(on: db).filter(\.$user.$id == user.requireID()).set(\.$user.$id, to: nil).update()
            try await UserToken.query(on: db).filter(\.$user.$id == user.requireID()).delete()
            try await user.delete(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: nil, action: "user.delete",
                                  summary: "删除账号 \(user.username)", before: UserAudit(user))
        }
    }

    /// Logs out: the session's token stops working.
    static func endSession(token: String, on db: any Database) async throws {
        try await UserToken.query(on: db).filter(\.$tokenHash == Tokens.hash(token)).delete()
    }

    /// Saves one's own new password (already checked and hashed on `user`); every other session of the account ends.
    static func changeOwnPassword(of user: User, keepingSession current: String?, by actor: Actor, on db: any Database) async throws {
        let keep = current.map { Tokens.hash($0) }
        try await db.writeTransaction { db in
            try await user.save(on: db)
            var others = UserToken.query(on: db).filter(\.$user.$id == (try user.requireID()))
            if let keep { others = others.filter(\.$tokenHash != keep) }
            try await others.delete()
            try await recordAudit(on: db, actor: actor, campaignID: nil, action: "user.password", summary: "修改了自己的密码")
        }
    }

    /// The account `rawID` names, if the actor may manage it; else 404 (an account out of reach looks missing).
    static func managedAccount(_ rawID: String?, by actor: Actor, on db: any Database) async throws -> User {
        guard let rawID, let id = UUID(uuidString: rawID), let user = try await User.find(id, on: db), actor.mayManage(user) else {
            throw APIError.notFound("账号")
        }
        return user
    }

    /// A non-system account needs an org unit in the actor's scope; a campaign admin may assign only staff roles.
    static func checkAssignable(_ actor: Actor, role: User.Role, orgUnitID: UUID?, on db: any Database) async throws {
        if role.needsOrgUnit {
            guard let orgUnitID, try await OrgUnit.find(orgUnitID, on: db) != nil else {
                throw APIError(.unprocessableEntity, "invalid", "请选择所属组织")
            }
            guard actor.scope.contains(orgUnitID) else { throw APIError.notFound("组织") }
        }
        guard actor.mayAssign(role) else {
            throw APIError(.forbidden, "forbidden", "只有系统管理员可以创建管理员账号")
        }
    }

    static func parseRole(_ raw: String) throws -> User.Role {
        guard let role = User.Role(rawValue: raw) else {
            throw APIError(.unprocessableEntity, "invalid", "角色无效：\(raw.prefix(40))")
        }
        return role
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
