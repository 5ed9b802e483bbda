import Fluent
import PingyiCore
import Vapor

/// 述职对象 of a campaign, and their written reports (书面述职材料).
extension CampaignController {
    func bootReportees(_ campaign: any RoutesBuilder) {
        let reportees = campaign.grouped("reportees")
        reportees.post(use: createReportee).requiring(.manage)
        reportees.on(.POST, "import", body: .collect(maxSize: "5mb"), use: importReportees).requiring(.manage)
        reportees.patch(":reporteeID", use: updateReportee).requiring(.manage)
        reportees.delete(":reporteeID", use: deleteReportee).requiring(.manage)
        // The report: read by everyone who sees the campaign; changed by its admins or the secretary it belongs to.
        reportees.on(.PUT, ":reporteeID", "report", body: .collect(maxSize: ByteCount(value: ReportFile.maxBytes + 1024)), use: uploadReport)
            .requiring(.view)
        reportees.get(":reporteeID", "report", use: downloadReport).requiring(.view)
        reportees.delete(":reporteeID", "report", use: deleteReport).requiring(.view)
    }

    @Sendable
    func createReportee(req: Request) async throws -> Response {
        let (actor, campaign) = try await req.campaign(allowing: \.allowsSetupChanges, "述职对象")
        let body = try req.content.decode(ReporteeCreateRequest.self)
        let campaignID = try campaign.requireID()
        let reportee = Reportee(
            campaignID: campaignID, orgUnitID: nil, name: try requireText(body.name, "姓名", max: 50),
            unitName: try requireText(body.unitName, "单位", max: 100), title: try optionalText(body.title, "职务", max: 50),
            mode: try parseMode(body.mode), position: 0,
            timeLimitSeconds: try parseTimeLimit(body.timeLimitSeconds ?? ReportMode.defaultTimeLimitSeconds))
        try await linkReportee(reportee, orgUnitID: body.orgUnitID, userID: body.userID, actor: actor, on: req.db)
        try await req.db.writeTransaction { db in
            try await campaign.requireLocked(\.allowsSetupChanges, "述职对象", on: db)
            reportee.position = try await Reportee.query(on: db).filter(\.$campaign.$id == campaignID).count() + 1
            try await reportee.save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaignID, action: "reportee.create",
                                  summary: "新增述职对象 \(reportee.name)（\(reportee.unitName)）", after: try ReporteeDTO(reportee, report: nil))
        }
        return try created(try await campaignDetail(campaign, for: actor, on: req.db))
    }

    /// 述职对象名单 from CSV (UTF-8 or GBK) or XLSX: read and checked before the write transaction; any error
    /// imports nothing and names each line.
    @Sendable
    func importReportees(req: Request) async throws -> Response {
        let (actor, campaign) = try await req.campaign(allowing: \.allowsSetupChanges, "述职对象")
        let campaignID = try campaign.requireID()
        let rows = try ReporteeImport.parse(try ImportFile.records(from: Data(buffer: req.body.data ?? ByteBuffer()))).get()
        let count = try await req.db.writeTransaction { db -> Int in
            // Read again under the campaign's lock: 筹备 may have ended since the file was read.
            try await campaign.requireLocked(\.allowsSetupChanges, "述职对象", on: db)
            var position = try await Reportee.query(on: db).filter(\.$campaign.$id == campaignID).count()
            let people = rows.map { row in
                position += 1
                return Reportee(campaignID: campaignID, orgUnitID: nil, name: row.name, unitName: row.unit, title: row.title,
                                mode: row.onsite ? .onsite : .written, position: position,
                                timeLimitSeconds: row.minutes.map { Int(($0 * 60).rounded()) } ?? ReportMode.defaultTimeLimitSeconds)
            }
            try await people.create(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaignID, action: "reportee.import",
                                  summary: "导入述职对象 \(rows.count) 人", after: rows.map { "\($0.name)（\($0.unit)）" })
            return rows.count
        }
        return try created(ImportResultDTO(imported: count))
    }

    @Sendable
    func updateReportee(req: Request) async throws -> CampaignDetailDTO {
        let (actor, campaign) = try await req.campaign()
        let body = try req.content.decode(ReporteeUpdateRequest.self)
        // Linking the secretary's account changes no ballot: allowed until archived. Everything else only in 筹备.
        try campaign.require(body.onlyLinksAnAccount ? \.allowsAccountLinks : \.allowsSetupChanges, "述职对象")
        let reportee = try await req.child(Reportee.self, "reporteeID", of: campaign, "述职对象")
        let before = try ReporteeDTO(reportee, report: nil)
        if let name = body.name { reportee.name = try requireText(name, "姓名", max: 50) }
        if let unit = body.unitName { reportee.unitName = try requireText(unit, "单位", max: 100) }
        if let title = body.title { reportee.title = try optionalText(title, "职务", max: 50) }
        if let mode = body.mode { reportee.mode = try parseMode(mode) }
        if let limit = body.timeLimitSeconds { reportee.timeLimitSeconds = try parseTimeLimit(limit) }
        if body.orgUnitID != nil || body.userID != nil {
            try await linkReportee(reportee, orgUnitID: body.orgUnitID ?? reportee.$orgUnit.id,
                                   userID: body.userID ?? reportee.$user.id, actor: actor, on: req.db)
        }
        try await req.db.writeTransaction { db in
            try await campaign.requireLocked(body.onlyLinksAnAccount ? \.allowsAccountLinks : \.allowsSetupChanges, "述职对象", on: db)
            try await reportee.save(on: db)
            if let position = body.position {
                let all = try await Reportee.query(on: db).filter(\.$campaign.$id == campaign.requireID()).all()
                try await reorder(all, moving: reportee.requireID(), to: position, on: db)
            }
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "reportee.update",
                                  summary: "修改述职对象 \(reportee.name)", before: before, after: try ReporteeDTO(reportee, report: nil))
        }
        return try await campaignDetail(campaign, for: actor, on: req.db)
    }

    @Sendable
    func deleteReportee(req: Request) async throws -> CampaignDetailDTO {
        let (actor, campaign) = try await req.campaign(allowing: \.allowsSetupChanges, "述职对象")
        let reportee = try await req.child(Reportee.self, "reporteeID", of: campaign, "述职对象")
        try await req.db.writeTransaction { db in
            try await campaign.requireLocked(\.allowsSetupChanges, "述职对象", on: db)
            try await ReportDocument.query(on: db).filter(\.$reportee.$id == reportee.requireID()).delete()
            try await reportee.delete(on: db)
            try await renumber(try await Reportee.query(on: db).filter(\.$campaign.$id == campaign.requireID()).sort(\.$position).all(), on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "reportee.delete",
                                  summary: "删除述职对象 \(reportee.name)（\(reportee.unitName)）", before: try ReporteeDTO(reportee, report: nil))
        }
        return try await campaignDetail(campaign, for: actor, on: req.db)
    }

    /// Uploads or replaces a reportee's written report. Admins in scope, or the secretary's own account.
    @Sendable
    func uploadReport(req: Request) async throws -> ReportInfoDTO {
        let (actor, campaign, reportee) = try await reportTarget(req, upload: true)
        try campaign.require(\.allowsReportChanges, "述职材料")
        let (data, file) = try ReportFile.upload(req)
        let document = try await ReportDocument.query(on: req.db).filter(\.$reportee.$id == reportee.requireID()).first()
            ?? ReportDocument()
        let replaced = document.id != nil
        document.$reportee.id = try reportee.requireID()
        document.store(data, as: file)
        document.uploadedAt = Date()
        let info = ReportInfoDTO(fileName: file.fileName, contentType: file.contentType, byteCount: data.count, sha256: file.sha256)
        try await req.db.writeTransaction { db in
            try await campaign.requireLocked(\.allowsReportChanges, "述职材料", on: db)
            try await document.save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "report.upload",
                                  summary: "\(replaced ? "替换" : "上传")述职材料：\(reportee.name)《\(file.fileName)》", after: info)
        }
        return info
    }

    @Sendable
    func downloadReport(req: Request) async throws -> Response {
        let (_, _, reportee) = try await reportTarget(req, upload: false)
        guard let document = try await ReportDocument.query(on: req.db).filter(\.$reportee.$id == reportee.requireID()).first() else {
            throw APIError.notFound("述职材料")
        }
        return reportResponse(document)
    }

    @Sendable
    func deleteReport(req: Request) async throws -> HTTPStatus {
        let (actor, campaign, reportee) = try await reportTarget(req, upload: true)
        try campaign.require(\.allowsReportChanges, "述职材料")
        try await req.db.writeTransaction { db in
            try await campaign.requireLocked(\.allowsReportChanges, "述职材料", on: db)
            let deleted = try await ReportDocument.query(on: db).filter(\.$reportee.$id == reportee.requireID()).all()
            guard !deleted.isEmpty else { throw APIError.notFound("述职材料") }
            try await ReportDocument.query(on: db).filter(\.$reportee.$id == reportee.requireID()).delete()
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "report.delete",
                                  summary: "删除述职材料：\(reportee.name)", before: deleted.map(\.fileName))
        }
        return .noContent
    }

    /// The account, campaign and reportee of a report request. Changing it needs `Actor.mayChangeReport(of:in:)`.
    func reportTarget(_ req: Request, upload: Bool) async throws -> (Actor, Campaign, Reportee) {
        let (actor, campaign) = try await req.campaign()
        let reportee = try await req.child(Reportee.self, "reporteeID", of: campaign, "述职对象")
        if upload, !actor.mayChangeReport(of: reportee, in: campaign) { throw APIError.forbidden }
        return (actor, campaign, reportee)
    }
}

/// A file kept in the database with its name, type, size and checksum (述职材料, 佐证材料).
protocol StoredUpload: AnyObject {
    var fileName: String { get set }
    var contentType: String { get set }
    var byteCount: Int { get set }
    var sha256: String { get set }
    var data: Data { get set }
}

extension StoredUpload {
    func store(_ data: Data, as file: ReportFile.Checked) {
        fileName = file.fileName
        contentType = file.contentType
        byteCount = data.count
        sha256 = file.sha256
        self.data = data
    }
}

extension ReportDocument: StoredUpload {}
extension RectificationEvidence: StoredUpload {}

/// A download that opens in the browser (PDF, text) or saves (DOCX), with the original Chinese file name.
func reportResponse(_ document: ReportDocument) -> Response {
    storedFileResponse(document.data, fileName: document.fileName, contentType: document.contentType, sha256: document.sha256)
}

/// A stored upload, sent as an attachment (never rendered in our origin) with its checksum; `nosniff` as well.
func storedFileResponse(_ data: Data, fileName: String, contentType: String, sha256: String) -> Response {
    let response = Response(status: .ok, body: .init(data: data))
    response.headers.replaceOrAdd(name: .contentType, value: contentType)
    response.headers.replaceOrAdd(name: .contentDisposition, value: contentDisposition("attachment", fileName: fileName, fallback: "file"))
    response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
    response.headers.replaceOrAdd(name: "X-Checksum-SHA256", value: sha256)
    return response
}

/// Sets a reportee's org unit (in scope) and account (a reportee account the actor manages).
func linkReportee(_ reportee: Reportee, orgUnitID: UUID?, userID: UUID?, actor: Actor, on db: any Database) async throws {
    if let orgUnitID {
        guard actor.scope.contains(orgUnitID), try await OrgUnit.find(orgUnitID, on: db) != nil else { throw APIError.notFound("组织") }
    }
    if let userID {
        guard let user = try await User.find(userID, on: db), canManage(actor, user) else { throw APIError.notFound("账号") }
        guard user.role == .reportee else { throw APIError(.unprocessableEntity, "invalid", "只能关联“述职对象”角色的账号") }
    }
    reportee.$orgUnit.id = orgUnitID
    reportee.$user.id = userID
}

func parseMode(_ raw: String) throws -> ReportMode {
    guard let mode = ReportMode(rawValue: raw) else {
        throw APIError(.unprocessableEntity, "invalid", "述职方式应为 onsite（会上述职）或 written（书面述职）")
    }
    return mode
}

func parseTimeLimit(_ seconds: Int) throws -> Int {
    // Down to 10 seconds so a rehearsal (or a browser test) can see the warning and the overtime quickly.
    guard (10...3600).contains(seconds) else { throw APIError(.unprocessableEntity, "invalid", "发言时限应在 10 秒到 60 分钟之间") }
    return seconds
}

/// What an uploaded report may be: PDF, DOCX or plain text, at most 20 MB, recognized by content, not by name.
enum ReportFile {
    static let maxBytes = 20 * 1024 * 1024

    struct Checked {
        var fileName: String
        var contentType: String
        var sha256: String
    }

    /// Checks an upload by its content (not its name): PDF, DOCX or TXT, and with `images` also JPEG and PNG
    /// (photos are the usual 整改佐证). Names the file with the right extension; computes its SHA-256.
    static func check(_ data: Data, fileName rawName: String, defaultName: String = "述职材料", images: Bool = false) throws -> Checked {
        guard !data.isEmpty else { throw APIError(.unprocessableEntity, "invalid", "文件是空的") }
        guard data.count <= maxBytes else { throw APIError(.payloadTooLarge, "payload_too_large", "文件超过 20 MB") }
        let base = (rawName as NSString).lastPathComponent
            .filter { !$0.isNewline && $0 != "\"" && $0 != "\\" && !($0.asciiValue.map { $0 < 32 } ?? false) }
        let stem = base.isEmpty ? defaultName : String(base.prefix(100))
        let type: (String, String)
        if data.starts(with: Array("%PDF-".utf8)) {
            type = ("application/pdf", "pdf")
        } else if data.starts(with: [0x50, 0x4B, 0x03, 0x04]), isDOCX(data) {
            type = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
        } else if images, data.starts(with: [0xFF, 0xD8, 0xFF]) {
            type = ("image/jpeg", "jpg")
        } else if images, data.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            type = ("image/png", "png")
        } else if ImportFile.plainText(data) != nil {
            type = ("text/plain; charset=utf-8", "txt")
        } else {
            throw APIError(.unsupportedMediaType, "unsupported_media_type",
                           images ? "只能上传 PDF、DOCX、TXT、JPG 或 PNG 文件" : "只能上传 PDF、DOCX 或 TXT 文件")
        }
        var name = stem
        let lower = name.lowercased()
        let known = type.1 == "jpg" ? [".jpg", ".jpeg"] : ["." + type.1]
        if !known.contains(where: lower.hasSuffix) {
            name = ((name as NSString).deletingPathExtension.isEmpty ? defaultName : (name as NSString).deletingPathExtension) + "." + type.1
        }
        let digest = sha256Hex(data)
        return Checked(fileName: name, contentType: type.0, sha256: digest)
    }

    /// The raw request body as an upload, named by the percent-encoded `X-File-Name` header.
    static func upload(_ req: Request, defaultName: String = "述职材料", images: Bool = false) throws -> (Data, Checked) {
        let data = Data(buffer: req.body.data ?? ByteBuffer())
        let rawName = req.headers.first(name: "X-File-Name").flatMap { $0.removingPercentEncoding } ?? defaultName
        return (data, try check(data, fileName: rawName, defaultName: defaultName, images: images))
    }

    static func isDOCX(_ data: Data) -> Bool {
        UploadedZip(data)?.contains("word/document.xml") ?? false
    }
}
