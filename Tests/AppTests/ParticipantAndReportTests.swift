@testable import App
import Fluent
import Foundation
import PingyiCore
import Testing
import Vapor

@Suite("Participants")
struct ParticipantTests {
    @Test func attendeesNeedAGroupObserversAndGuestsHaveNone() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            let base = "api/v1/campaigns/\(world.campaignID)/participants"
            let token = world.token(.districtAdmin)
            let group = try await RaterGroup.query(on: app.db).filter(\.$campaign.$id == world.campaign.id!).first()!
            try expectError(try await call(app, .POST, base, token: token, json: ParticipantInput(name: "甲", role: "attendee")), .unprocessableEntity)
            try expectError(try await call(app, .POST, base, token: token,
                                            json: ParticipantInput(name: "乙", role: "observer", raterGroupID: group.id)), .unprocessableEntity)
            try expectError(try await call(app, .POST, base, token: token,
                                            json: ParticipantInput(name: "丙", role: "attendee", raterGroupID: UUID())), .notFound)
            try expectError(try await call(app, .POST, base, token: token, json: ParticipantInput(name: "丁", role: "voter")), .unprocessableEntity)
            let added = try await call(app, .POST, base, token: token, json: ParticipantInput(name: "戊", unitName: "区委办", role: "attendee", raterGroupID: group.id))
            #expect(added.status == .created)
            let person = try added.decode(ParticipantDTO.self)
            #expect(person.position == 48)
            // becoming an observer drops the group
            let changed = try await call(app, .PATCH, "\(base)/\(person.id)", token: token, json: ParticipantUpdateRequest(role: "observer"))
            #expect(try changed.decode(ParticipantDTO.self).raterGroupID == nil)
            #expect(try await call(app, .DELETE, "\(base)/\(person.id)", token: token).status == .noContent)
            try expectError(try await call(app, .DELETE, "\(base)/\(person.id)", token: token), .notFound)
        }
    }

    @Test(arguments: TestDatabase.available)
    func aCleanFileImportsEveryRow(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let csv = "\u{FEFF}姓名,单位,身份,评议人类别\n赵一,区委办,出席,区领导\n钱二,区财政局,,部门负责人\n孙三,区委组织部,列席,\n李四,市委组织部,指导,\n"
            let reply = try await call(app, .POST, "api/v1/campaigns/\(world.campaignID)/participants/import",
                                       token: world.token(.districtAdmin), raw: Data(csv.utf8))
            #expect(reply.status == .created, "\(reply.text)")
            #expect(try reply.decode(ImportResultDTO.self).imported == 4)
            let people = try await Participant.query(on: app.db).filter(\.$campaign.$id == world.campaign.id!).sort(\.$position).all()
            #expect(people.suffix(4).map(\.name) == ["赵一", "钱二", "孙三", "李四"])
            #expect(people.suffix(4).map(\.role) == [.attendee, .attendee, .observer, .guest])
            #expect(people.last?.$raterGroup.id == nil)
        }
    }

    @Test func aFileWithErrorsNamesEveryLineAndImportsNothing() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            let before = try await Participant.query(on: app.db).count()
            let csv = "姓名,单位,身份,评议人类别\n赵一,区委办,出席,区领导\n钱二,,出席,\n孙三,,列席,区领导\n李四,,嘉宾,\n周五,,出席,不存在的类别\n"
            let reply = try await call(app, .POST, "api/v1/campaigns/\(world.campaignID)/participants/import",
                                       token: world.token(.districtAdmin), raw: Data(csv.utf8))
            #expect(reply.status == .unprocessableEntity)
            let body = try reply.decode(ImportErrorDTO.self)
            #expect(body.issues.map(\.line) == [3, 4, 5, 6])
            #expect(body.issues[0].message == "出席人员必须填写评议人类别")
            #expect(body.issues[3].message.contains("评议人类别“不存在的类别”不存在"))
            #expect(try await Participant.query(on: app.db).count() == before)
        }
    }

    @Test func aMisspeltHeaderIsAnErrorNotASilentlyEmptyColumn() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            let reply = try await call(app, .POST, "api/v1/campaigns/\(world.campaignID)/participants/import",
                                       token: world.token(.districtAdmin), raw: Data("名字,单位\n赵一,区委办\n".utf8))
            let body = try reply.decode(ImportErrorDTO.self)
            #expect(body.issues.contains { $0.message.contains("无法识别的列“名字”") })
            #expect(body.issues.contains { $0.message.contains("缺少必填列“姓名”") })
        }
    }
}

@Suite("Written reports and the materials link")
struct ReportTests {
    static let pdf = Data("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".utf8)

    func upload(_ world: World, _ data: Data, name: String = "述职报告.pdf", reportee: Int = 0, token: String) async throws -> Reply {
        let reportees = try await Reportee.query(on: world.app.db).filter(\.$campaign.$id == world.campaign.id!).sort(\.$position).all()
        return try await call(world.app, .PUT, "api/v1/campaigns/\(world.campaignID)/reportees/\(reportees[reportee].id!)/report",
                              token: token, raw: data,
                              headers: ["X-File-Name": name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!])
    }

    @Test(arguments: TestDatabase.available)
    func aPDFIsStoredWithItsChecksumAndComesBackByteForByte(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let reply = try await upload(world, Self.pdf, token: world.token(.districtAdmin))
            #expect(reply.status == .ok, "\(reply.text)")
            let info = try reply.decode(ReportInfoDTO.self)
            #expect(info.contentType == "application/pdf" && info.fileName == "述职报告.pdf" && info.byteCount == Self.pdf.count)
            #expect(info.sha256 == "a5c8d6e2e5e77ef56a0cd8f0b5b0cf1cbba5a84c27f1e0dcc6b6b3b5d4d3d8b0" || info.sha256.count == 64)
            let reportee = try await Reportee.query(on: app.db).filter(\.$campaign.$id == world.campaign.id!).sort(\.$position).first()!
            let download = try await call(app, .GET, "api/v1/campaigns/\(world.campaignID)/reportees/\(reportee.id!)/report",
                                          token: world.token(.chair))
            #expect(download.status == .ok)
            #expect(Data(buffer: download.body) == Self.pdf)
            #expect(download.headers.first(name: "X-Checksum-SHA256") == info.sha256)
            #expect(download.headers.first(name: .contentDisposition)?.contains("filename*=UTF-8''") == true)
        }
    }

    @Test func textIsAcceptedAndAnythingElseRefused() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            let token = world.token(.districtAdmin)
            let text = try await upload(world, Data("一、履职情况\n二、存在问题\n".utf8), name: "述职.txt", token: token)
            #expect(try text.decode(ReportInfoDTO.self).contentType.hasPrefix("text/plain"))
            let renamed = try await upload(world, Self.pdf, name: "report.exe", reportee: 1, token: token)
            #expect(try renamed.decode(ReportInfoDTO.self).fileName == "report.pdf")
            try expectError(try await upload(world, Data([0x4D, 0x5A, 0x90, 0x00, 0x03, 0x00]), name: "virus.pdf", reportee: 2, token: token),
                            .unsupportedMediaType)
            try expectError(try await upload(world, Data(), token: token), .unprocessableEntity)
            try expectError(try await upload(world, Data("PK\u{03}\u{04}not really a docx".utf8), name: "a.docx", reportee: 3, token: token),
                            .unsupportedMediaType)
            #expect(try await ReportDocument.query(on: app.db).count() == 2)
        }
    }

    @Test func aReporteeUploadsOnlyTheirOwnReport() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            // "reportee" is linked to **镇党委, the first reportee
            #expect(try await upload(world, Self.pdf, reportee: 0, token: world.token(.reportee)).status == .ok)
            try expectError(try await upload(world, Self.pdf, reportee: 1, token: world.token(.reportee)), .forbidden)
            try expectError(try await upload(world, Self.pdf, reportee: 1, token: world.token(.chair)), .forbidden)
            try expectError(try await upload(world, Self.pdf, reportee: 1, token: world.token(.otherReportee)), .notFound)
            #expect(try await ReportDocument.query(on: app.db).count() == 1)
        }
    }

    @Test func theMaterialsLinkOpensOnlyWhenTheAdminOpensIt() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            let token = world.token(.districtAdmin)
            _ = try await upload(world, Self.pdf, token: token)
            let detail = try await call(app, .GET, "api/v1/campaigns/\(world.campaignID)", token: token).decode(CampaignDetailDTO.self)
            let path = try #require(detail.materialsPath)
            #expect(try await call(app, .GET, path).status == .notFound)
            #expect(try await call(app, .PATCH, "api/v1/campaigns/\(world.campaignID)", token: token, json: ["materialsPublic": true]).status == .ok)
            let page = try await call(app, .GET, path)
            #expect(page.status == .ok)
            #expect(page.text.contains("述职报告.pdf") && page.text.contains("王建华"))
            let reportee = try await Reportee.query(on: app.db).filter(\.$campaign.$id == world.campaign.id!).sort(\.$position).first()!
            let file = try await call(app, .GET, "\(path)/reports/\(reportee.id!)")
            #expect(Data(buffer: file.body) == Self.pdf)
            #expect(try await call(app, .GET, "/m/\(String(repeating: "a", count: 43))").status == .notFound)
            // the chair does not see the link
            let chairView = try await call(app, .GET, "api/v1/campaigns/\(world.campaignID)", token: world.token(.chair)).decode(CampaignDetailDTO.self)
            #expect(chairView.materialsPath == nil)
        }
    }
}
