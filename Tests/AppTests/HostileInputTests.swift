@testable import App
import Fluent
import Foundation
import PingyiCore
import Testing
import Vapor

/// The review's findings 12, 13 and 15: input that looked harmless and was not.
@Suite("Hostile input changes nothing")
struct HostileInputTests {
    static let hostile = ["\u{202E}\u{200B}", "\u{200B}\u{200C}\u{2060}", "甲\u{0}乙", "王\u{1B}[31m五", "\u{202E}党委", "  \u{200F} "]

    /// Finding 15: names made only of bidi or zero-width characters, or with NUL or ESC, were accepted and printed.
    @Test(arguments: TestDatabase.available)
    func controlAndInvisibleNamesAreRefusedEverywhere(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let admin = world.token(.districtAdmin)
            let base = "api/v1/campaigns/\(world.campaignID)"
            func rows() async throws -> [Int] {
                [try await OrgUnit.query(on: app.db).count(), try await Participant.query(on: app.db).count(),
                 try await Reportee.query(on: app.db).count(), try await User.query(on: app.db).count()]
            }
            let before = try await rows()
            for name in Self.hostile {
                try expectError(try await call(app, .POST, "api/v1/org-units", token: admin,
                                                json: OrgUnitCreateRequest(parentID: world.district.id, name: name, kind: "党支部", domain: "rural")),
                                .unprocessableEntity)
                try expectError(try await call(app, .POST, "\(base)/participants", token: admin, json: ParticipantInput(name: name, role: "observer")),
                                .unprocessableEntity)
                try expectError(try await call(app, .POST, "\(base)/reportees", token: admin,
                                                json: ReporteeCreateRequest(name: name, unitName: "甲", mode: "written")), .unprocessableEntity)
                try expectError(try await call(app, .POST, "api/v1/users", token: admin, json: [
                    "username": "clerk2", "displayName": name, "password": "long-enough-1", "role": "teller",
                    "orgUnitID": world.district.id!.uuidString,
                ]), .unprocessableEntity)
                let csv = "名称,上级组织,类型,领域,书记\n\(name),,党支部,农村,\n"
                let imported = try await call(app, .POST, "api/v1/org-units/import?parent=\(world.district.id!)", token: admin, raw: Data(csv.utf8))
                #expect(imported.status == .unprocessableEntity, "\(imported.text)")
                let people = "姓名,身份\n张三,列席\n\(name),列席\n"
                let reply = try await call(app, .POST, "\(base)/participants/import", token: admin, raw: Data(people.utf8))
                #expect(reply.status == .unprocessableEntity)
                #expect(try reply.decode(ImportErrorDTO.self).issues.contains { $0.line == 3 || $0.line == 0 }, "\(name.unicodeScalars.map(\.value)): \(reply.text)")
            }
            #expect(try await rows() == before)
            // ordinary text with a line break in a comment-like field is still fine; so are names with spaces inside
            #expect(try await call(app, .POST, "\(base)/participants", token: admin, json: ParticipantInput(name: "欧阳 修", role: "observer")).status == .created)
        }
    }

    @Test func theTextRuleItself() {
        for name in Self.hostile { #expect(EnteredText.problem(name.trimmingCharacters(in: .whitespaces)) != nil, "\(name.unicodeScalars.map(\.value))") }
        for fine in ["王建华", "**镇党委", "Zhang San", "第一行\n第二行", "e\u{301}", "👩‍💼 李"] { #expect(EnteredText.problem(fine) == nil, "\(fine)") }
    }

    /// Finding 15: reports were served inline though the README says attachments.
    @Test func storedFilesAreSentAsAttachments() {
        let response = storedFileResponse(Data("%PDF-1.4".utf8), fileName: "述职报告.pdf", contentType: "application/pdf", sha256: "x")
        #expect(response.headers.first(name: .contentDisposition)?.hasPrefix("attachment;") == true)
    }

    /// Finding 12: one cell in column XFD made a 16,384-field record per row (400 rows: 85 MB; 20,000 took the server down).
    @Test func aCellFarToTheRightIsRefusedWithoutBuildingTheRow() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            var far = [XLSXCell](repeating: .empty, count: 16_384)
            far[16_383] = .text("x")
            let header: [XLSXCell] = [.text("姓名"), .text("身份")]
            let rows = [header] + Array(repeating: far, count: 400)
            let workbook = try XLSXWriter.workbook([XLSXSheet(name: "参会人员", rows: rows)])
            #expect(workbook.count < 100_000)
            let reply = try await call(app, .POST, "api/v1/campaigns/\(world.campaignID)/participants/import", token: world.token(.districtAdmin),
                                       raw: workbook)
            try expectError(reply, .unprocessableEntity)
            #expect(reply.text.contains("第 64 列"))
            // an empty cell that far out is nothing, and the sheet imports
            var blankFar = [XLSXCell](repeating: .empty, count: 16_384)
            blankFar[0] = .text("李四")
            blankFar[1] = .text("列席")
            let fine = try XLSXWriter.workbook([XLSXSheet(name: "参会人员", rows: [header, blankFar])])
            let ok = try await call(app, .POST, "api/v1/campaigns/\(world.campaignID)/participants/import", token: world.token(.districtAdmin), raw: fine)
            #expect(ok.status == .created, "\(ok.text)")
        }
    }

    /// Finding 13: a 6,000-row import was parsed in quadratic time inside the write transaction. It is now read
    /// before the transaction in linear time and written in a few statements; every unit lands under its parent.
    @Test(arguments: TestDatabase.available)
    func sixThousandUnitsImportUnderTheirParents(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            var csv = "名称,上级组织,类型,领域,书记\n"
            // 60 towns, each with 99 branches; the branches come first, so every parent is defined later in the file
            for t in 0..<60 { for b in 0..<99 { csv += "支部\(t)-\(b),镇\(t),党支部,农村,书记\(b)\n" } }
            for t in 0..<60 { csv += "镇\(t),,党委,农村,\n" }
            let before = try await OrgUnit.query(on: app.db).count()
            let reply = try await call(app, .POST, "api/v1/org-units/import?parent=\(world.district.id!)", token: world.token(.districtAdmin),
                                       raw: Data(csv.utf8), headers: ["Content-Type": "text/csv"])
            #expect(reply.status == .created, "\(reply.text.prefix(300))")
            #expect(try await OrgUnit.query(on: app.db).count() == before + 6_000)
            let town = try #require(try await OrgUnit.query(on: app.db).filter(\.$name == "镇7").first())
            #expect(town.$parent.id == world.district.id)
            let branches = try await OrgUnit.query(on: app.db).filter(\.$parent.$id == town.id!).all()
            #expect(branches.count == 99 && Set(branches.map(\.position)) == Set(1...99))
        }
    }
}
