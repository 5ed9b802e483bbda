@testable import App
import Fluent
import Foundation
import PingyiCore
import Testing
import Vapor

@Suite("Accounts")
struct AccountTests {
    func create(_ app: Application, by token: String, username: String, role: String, unit: UUID?) async throws -> Reply {
        try await call(app, .POST, "api/v1/users", token: token, json: UserCreateRequest(
            username: username, displayName: "测试人员", role: role, orgUnitID: unit, password: "password123"))
    }

    @Test(arguments: TestDatabase.available)
    func aSystemAdminCreatesACampaignAdminWhoCanLogIn(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let reply = try await create(app, by: world.token(.sysadmin), username: "zhen.zuzhi", role: "campaign_admin", unit: world.town.id)
            #expect(reply.status == .created)
            let user = try reply.decode(UserAdminDTO.self)
            #expect(user.orgUnitName == "**镇党委")
            #expect(user.roleLabel == "活动管理员")
            _ = try await login(app, "zhen.zuzhi")
            let audit = try await AuditEntry.query(on: app.db).filter(\.$action == "user.create").first()
            #expect(audit?.after?.contains("zhen.zuzhi") == true)
            #expect(audit?.after?.contains("password") == false)
        }
    }

    @Test func aCampaignAdminCreatesStaffInItsSubtreeOnly() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            let admin = world.token(.townAdmin)
            #expect(try await create(app, by: admin, username: "zhen.chair", role: "chair", unit: world.town.id).status == .created)
            try expectError(try await create(app, by: admin, username: "x1", role: "campaign_admin", unit: world.town.id), .forbidden)
            try expectError(try await create(app, by: admin, username: "x2", role: "system_admin", unit: nil), .forbidden)
            try expectError(try await create(app, by: admin, username: "x3", role: "chair", unit: world.otherTown.id), .notFound)
            try expectError(try await create(app, by: admin, username: "x4", role: "chair", unit: world.district.id), .notFound)
            try expectError(try await create(app, by: admin, username: "x5", role: "chair", unit: nil), .unprocessableEntity)
            try expectError(try await create(app, by: admin, username: "x6", role: "pope", unit: world.town.id), .unprocessableEntity)
            try expectError(try await create(app, by: admin, username: "zhen.chair", role: "teller", unit: world.town.id), .conflict)
            let names = try await User.query(on: app.db).all().map(\.username)
            #expect(!names.contains { $0.hasPrefix("x") })
            // The list shows only what it may manage.
            let listed = try await call(app, .GET, "api/v1/users", token: admin).decode([UserAdminDTO].self).map(\.username)
            #expect(Set(listed) == ["zhen.chair", "outsideChair", "reportee"])
        }
    }

    @Test func usernamesAndPasswordsAreChecked() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            for bad in ["a", "有空 格", String(repeating: "x", count: 51), "semi;colon"] {
                try expectError(try await create(app, by: world.token(.sysadmin), username: bad, role: "chair", unit: world.town.id),
                                .unprocessableEntity)
            }
            let weak = try await call(app, .POST, "api/v1/users", token: world.token(.sysadmin), json: UserCreateRequest(
                username: "weak", displayName: "弱", role: "chair", orgUnitID: world.town.id, password: "123"))
            try expectError(weak, .unprocessableEntity, code: "weak_password")
        }
    }

    @Test func resettingAPasswordEndsTheAccountsSessionsAndUnlockClearsALock() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            let chair = try await User.query(on: app.db).filter(\.$username == "chair").first()!
            chair.lockedUntil = Date().addingTimeInterval(600)
            try await chair.save(on: app.db)
            let reply = try await call(app, .PATCH, "api/v1/users/\(chair.id!)", token: world.token(.districtAdmin),
                                       json: UserUpdateRequest(password: "reset-pass-1", unlock: true))
            #expect(reply.status == .ok)
            #expect(try reply.decode(UserAdminDTO.self).locked == false)
            #expect(try await call(app, .GET, "api/v1/me", token: world.token(.chair)).status == .unauthorized)
            _ = try await login(app, "chair", "reset-pass-1")
        }
    }

    @Test func adminsCannotTouchAccountsOutsideTheirReach() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            let district = try await User.query(on: app.db).filter(\.$username == "districtAdmin").first()!
            let chair = try await User.query(on: app.db).filter(\.$username == "chair").first()!
            // a town admin cannot see the district's chair, nor another admin
            for target in [chair, district] {
                try expectError(try await call(app, .PATCH, "api/v1/users/\(target.id!)", token: world.token(.townAdmin),
                                                json: UserUpdateRequest(displayName: "改")), .notFound)
                try expectError(try await call(app, .DELETE, "api/v1/users/\(target.id!)", token: world.token(.townAdmin)), .notFound)
            }
            // nobody deletes or demotes themselves
            let me = try await User.query(on: app.db).filter(\.$username == "admin").first()!
            try expectError(try await call(app, .DELETE, "api/v1/users/\(me.id!)", token: world.token(.sysadmin)), .unprocessableEntity)
            try expectError(try await call(app, .PATCH, "api/v1/users/\(me.id!)", token: world.token(.sysadmin),
                                            json: UserUpdateRequest(role: "chair")), .unprocessableEntity)
            // nor reset their own password without giving the current one
            try expectError(try await call(app, .PATCH, "api/v1/users/\(me.id!)", token: world.token(.sysadmin),
                                            json: UserUpdateRequest(password: "stolen-token-pass")), .unprocessableEntity)
            _ = try await login(app, "admin", "admin-password")
            // a reportee account deleted is unlinked from its reportee row
            let reporteeUser = try await User.query(on: app.db).filter(\.$username == "reportee").first()!
            #expect(try await call(app, .DELETE, "api/v1/users/\(reporteeUser.id!)", token: world.token(.sysadmin)).status == .noContent)
            #expect(try await Reportee.query(on: app.db).filter(\.$user.$id == reporteeUser.id!).count() == 0)
        }
    }
}

@Suite("The org tree")
struct OrgTreeTests {
    @Test func aTownAdminBuildsItsOwnSubtree() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            let token = world.token(.townAdmin)
            let created = try await call(app, .POST, "api/v1/org-units", token: token, json: OrgUnitCreateRequest(
                parentID: world.town.id, name: "**村党支部", kind: "党支部", domain: "农村", secretaryName: "李四"))
            #expect(created.status == .created)
            let village = try created.decode(OrgUnitDTO.self)
            #expect(village.domain == "rural" && village.domainLabel == "农村")
            let listed = try await call(app, .GET, "api/v1/org-units", token: token).decode([OrgUnitDTO].self).map(\.name)
            #expect(Set(listed) == ["**镇党委", "**村党支部"])
            // out of scope, top level, bad kind or domain
            try expectError(try await call(app, .POST, "api/v1/org-units", token: token, json: OrgUnitCreateRequest(
                parentID: world.otherTown.id, name: "外", kind: "党支部", domain: "农村")), .notFound)
            try expectError(try await call(app, .POST, "api/v1/org-units", token: token, json: OrgUnitCreateRequest(
                parentID: nil, name: "顶", kind: "党委", domain: "机关")), .forbidden)
            try expectError(try await call(app, .POST, "api/v1/org-units", token: token, json: OrgUnitCreateRequest(
                parentID: world.town.id, name: "坏", kind: "委员会", domain: "农村")), .unprocessableEntity)
            try expectError(try await call(app, .POST, "api/v1/org-units", token: token, json: OrgUnitCreateRequest(
                parentID: world.town.id, name: "坏", kind: "党支部", domain: "火星")), .unprocessableEntity)
        }
    }

    @Test func movingAndDeletingKeepTheTreeSound() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            let token = world.token(.sysadmin)
            let a = try await call(app, .POST, "api/v1/org-units", token: token, json: OrgUnitCreateRequest(
                parentID: world.town.id, name: "甲支部", kind: "党支部", domain: "农村")).decode(OrgUnitDTO.self)
            let b = try await call(app, .POST, "api/v1/org-units", token: token, json: OrgUnitCreateRequest(
                parentID: a.id, name: "乙小组", kind: "党支部", domain: "农村")).decode(OrgUnitDTO.self)
            // no cycles
            try expectError(try await call(app, .PATCH, "api/v1/org-units/\(a.id)", token: token,
                                            json: OrgUnitUpdateRequest(parentID: b.id)), .unprocessableEntity)
            try expectError(try await call(app, .PATCH, "api/v1/org-units/\(a.id)", token: token,
                                            json: OrgUnitUpdateRequest(parentID: a.id)), .unprocessableEntity)
            // a real move
            let moved = try await call(app, .PATCH, "api/v1/org-units/\(b.id)", token: token,
                                       json: OrgUnitUpdateRequest(parentID: world.otherTown.id))
            #expect(try moved.decode(OrgUnitDTO.self).parentID == world.otherTown.id)
            // a unit with children, a campaign or accounts is not deleted
            try expectError(try await call(app, .DELETE, "api/v1/org-units/\(world.district.id!)", token: token), .conflict)
            try expectError(try await call(app, .DELETE, "api/v1/org-units/\(world.town.id!)", token: token), .conflict)
            #expect(try await call(app, .DELETE, "api/v1/org-units/\(b.id)", token: token).status == .noContent)
            // a town admin may not move its own root
            try expectError(try await call(app, .PATCH, "api/v1/org-units/\(world.town.id!)", token: world.token(.townAdmin),
                                            json: OrgUnitUpdateRequest(parentID: world.otherTown.id)), .conflict)
        }
    }

    @Test func aCSVWithParentsDefinedLaterImportsEverything() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            let csv = """
            名称,上级组织,类型,领域,书记
            "一村党支部","**村党总支",党支部,农村,张一
            **村党总支,,党总支,农村,王总
            二村党支部,**村党总支,党支部,农村,
            """
            let reply = try await call(app, .POST, "api/v1/org-units/import?parent=\(world.town.id!)", token: world.token(.townAdmin),
                                       raw: Data(csv.utf8), headers: ["Content-Type": "text/csv"])
            #expect(reply.status == .created, "\(reply.text)")
            #expect(try reply.decode(ImportResultDTO.self).imported == 3)
            let total = try await OrgUnit.query(on: app.db).filter(\.$name == "**村党总支").first()!
            #expect(total.$parent.id == world.town.id)
            let children = try await OrgUnit.query(on: app.db).filter(\.$parent.$id == total.id!).all().map(\.name)
            #expect(Set(children) == ["一村党支部", "二村党支部"])
        }
    }

    @Test func aFileWithAnyErrorImportsNothingAndNamesEachLine() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            let before = try await OrgUnit.query(on: app.db).count()
            let csv = "名称,上级组织,类型,领域\r\n好支部,,党支部,农村\r\n,,党支部,农村\r\n坏支部,不存在的组织,党小组,火星\r\n好支部,,党支部,农村\r\n"
            let reply = try await call(app, .POST, "api/v1/org-units/import?parent=\(world.town.id!)", token: world.token(.townAdmin),
                                       raw: Data(csv.utf8))
            #expect(reply.status == .unprocessableEntity)
            let body = try reply.decode(ImportErrorDTO.self)
            #expect(body.reason.contains("没有导入任何数据"))
            let lines = Set(body.issues.map(\.line))
            #expect(lines == [3, 4, 5])
            #expect(body.issues.contains { $0.line == 4 && $0.message.contains("类型“党小组”无效") })
            #expect(body.issues.contains { $0.line == 4 && $0.message.contains("领域“火星”无效") })
            #expect(body.issues.contains { $0.line == 3 && $0.message.contains("名称不能为空") })
            #expect(body.issues.contains { $0.line == 5 && $0.message.contains("与第 2 行重复") })
            #expect(try await OrgUnit.query(on: app.db).count() == before)
        }
    }

    @Test func aGBKEncodedCSVFromExcelIsRead() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            // "名称,类型,领域\n三村党支部,党支部,农村\n" in GBK, as Excel on a Chinese Windows saves it.
            let gbk: [UInt8] = [0xC3, 0xFB, 0xB3, 0xC6, 0x2C, 0xC0, 0xE0, 0xD0, 0xCD, 0x2C, 0xC1, 0xEC, 0xD3, 0xF2, 0x0A,
                                0xC8, 0xFD, 0xB4, 0xE5, 0xB5, 0xB3, 0xD6, 0xA7, 0xB2, 0xBF, 0x2C,
                                0xB5, 0xB3, 0xD6, 0xA7, 0xB2, 0xBF, 0x2C, 0xC5, 0xA9, 0xB4, 0xE5, 0x0A]
            let reply = try await call(app, .POST, "api/v1/org-units/import?parent=\(world.town.id!)", token: world.token(.townAdmin),
                                       raw: Data(gbk))
            #expect(reply.status == .created, "\(reply.text)")
            #expect(try await OrgUnit.query(on: app.db).filter(\.$name == "三村党支部").count() == 1)
        }
    }

    @Test(arguments: [Data(), Data([0xFF, 0xFE, 0x00, 0x00, 0x01]), Data("PK\u{03}\u{04}garbage".utf8), Data("名称\n".utf8)])
    func unreadableFilesAreRefusedInChinese(data: Data) async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            let reply = try await call(app, .POST, "api/v1/org-units/import?parent=\(world.town.id!)", token: world.token(.townAdmin), raw: data)
            try expectError(reply, .unprocessableEntity, code: "import_failed")
        }
    }
}

/// Issue 22, finding 4: a 6,000-unit import got no answer within the idle timeout. An import of the largest accepted
/// size answers with its result; a larger file is refused whole with the limit, nothing stored.
@Suite("Large organisation imports")
struct LargeOrgImportTests {
    func csv(_ n: Int, tag: String) -> Data {
        let rows = ["名称,上级组织,类型,领域,书记", "\(tag)总党委,,党委,农村,"]
            + (0..<(n - 1)).map { "\(tag)支部\($0),\(tag)总党委,党支部,农村,书记\($0)" }
        return Data(rows.joined(separator: "\n").utf8)
    }

    @Test(arguments: TestDatabase.available)
    func sixThousandUnitsAnswerAndMoreThanTheLimitIsRefusedWhole(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let path = "api/v1/org-units/import?parent=\(world.district.id!)"
            let before = try await OrgUnit.query(on: app.db).count()
            let refused = try await call(app, .POST, path, token: world.token(.districtAdmin), raw: csv(OrgImport.maxRows + 1, tag: "超"),
                                         headers: ["Content-Type": "text/csv"])
            try expectError(refused, .unprocessableEntity)
            #expect(refused.text.contains("一次最多导入 \(OrgImport.maxRows) 个组织"))
            #expect(try await OrgUnit.query(on: app.db).count() == before)
            let imported = try await call(app, .POST, path, token: world.token(.districtAdmin), raw: csv(6000, tag: "大"),
                                          headers: ["Content-Type": "text/csv"])
            #expect(imported.status == .created, "\(imported.text.prefix(300))")
            #expect(try imported.decode(ImportResultDTO.self).imported == 6000)
            #expect(try await OrgUnit.query(on: app.db).count() == before + 6000)
        }
    }
}
