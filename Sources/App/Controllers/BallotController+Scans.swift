import Fluent
import PingyiCore
import Vapor

/// 评议表打印与扫描识别: the printed pages of a round (SVG), the tellers' 清点票数, scanned pages uploaded by the
/// browser (grayscale, deflated), people's checks of unsure columns, and the scrutineer's sample.
extension BallotController {
    /// A normalized page is at most 2,400 × 2,400 gray bytes before deflate; 12 MB leaves room and stops anything else.
    static let maxScanBytes = 12 * 1024 * 1024

    func bootScans(_ rounds: any RoutesBuilder) {
        let round = rounds.grouped(":roundID")
        round.get("forms", ":group", ":form", ":page", use: formPage)
        round.put("box-counts", use: boxCounts)
        round.get("scans", use: scans)
        round.on(.POST, "scans", body: .collect(maxSize: ByteCount(value: Self.maxScanBytes)), use: uploadScan)
        round.post("scans", "sample", use: drawSample)
        round.get("scans", ":scanID", use: scan)
        round.get("scans", ":scanID", "image", use: scanImage)
        round.post("scans", ":scanID", "decision", use: decideScan)
        round.post("scans", ":scanID", "ruling", use: ruleScan)
        round.post("scans", ":scanID", "sample-check", use: checkSample)
        round.post("scans", ":scanID", "discard", use: discardScan)
    }

    /// One printed page: `group` is the index in the round's paper plan, `form` the form's index, `page` from 0.
    @Sendable
    func formPage(req: Request) async throws -> Response {
        let (_, campaign, round) = try await staffRound(req)
        guard let group = req.parameters.get("group").flatMap(Int.init), round.sheetPlan.indices.contains(group),
              let formIndex = req.parameters.get("form").flatMap(Int.init), let page = req.parameters.get("page").flatMap(Int.init),
              let form = PaperScanning.forms(round, campaign: campaign).first(where: { $0.formIndex == formIndex }),
              form.pages.indices.contains(page) else { throw APIError.notFound("评议表页") }
        guard let geometry = form.geometry(page: page) else {
            throw APIError(.unprocessableEntity, "form_too_wide", "\(form.form.name)的栏目太多，A4 横向放不下足够大的方框，请减少单项评价栏目")
        }
        let reportees = try await Reportee.query(on: req.db).filter(\.$campaign.$id == campaign.requireID()).all()
        let byID = Dictionary(reportees.compactMap { r in r.id.map { ($0.uuidString, r) } }, uniquingKeysWith: { a, _ in a })
        let rows = form.pages[page].map { PaperFormSVG.Row(name: byID[$0]?.name ?? "", unit: byID[$0]?.unitName ?? "") }
        let plan = round.sheetPlan[group]
        let code = try PaperScanning.code(campaign: campaign, round: round, group: group, form: formIndex, page: page)
        let pages = form.pages.count
        let subtitle = "\(campaign.title) · 第 \(round.number) 轮 · 评议人类别：\(plan.raterGroup)" + (pages > 1 ? " · 第 \(page + 1)/\(pages) 页" : "")
        let svg = PaperFormSVG.page(geometry: geometry, code: code, form: form.form, rows: rows, title: "\(form.form.name)评议表",
                                    subtitle: subtitle, firstNumber: page * PaperPageGeometry.rowsPerPage + 1)
        let response = Response(status: .ok, body: .init(string: svg))
        response.headers.contentType = HTTPMediaType(type: "image", subType: "svg+xml", parameters: ["charset": "utf-8"])
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    /// 清点票数: sheets of each form taken out of the box.
    @Sendable
    func boxCounts(req: Request) async throws -> PaperScansDTO {
        let (actor, campaign, round) = try await staffRound(req)
        guard actor.role == .teller || actor.role == .scrutineer || actor.role == .chair || actor.isAdmin else { throw APIError.forbidden }
        let body = try req.content.decode(BoxCountsRequest.self)
        try await PaperScanning.setBoxCounts(body.counts, round: round, formCount: PaperScanning.forms(round, campaign: campaign).count, by: actor, on: req.db)
        return try await scansOverview(actor, campaign, try await reloaded(round, on: req.db), on: req.db)
    }

    @Sendable
    func scans(req: Request) async throws -> PaperScansDTO {
        let (actor, campaign, round) = try await staffRound(req)
        return try await scansOverview(actor, campaign, round, on: req.db)
    }

    /// One page as the browser normalized it: `?width=&height=`, the body the raw-deflated grayscale pixels.
    @Sendable
    func uploadScan(req: Request) async throws -> Response {
        let (actor, campaign, round) = try await staffRound(req)
        guard actor.role == .teller || actor.role == .scrutineer || actor.role == .chair || actor.isAdmin else { throw APIError.forbidden }
        guard round.state.acceptsPaperEntry else { throw APIError.conflict("封箱后、计票前才能扫描纸质票") }
        guard let width = req.query[Int.self, at: "width"], let height = req.query[Int.self, at: "height"],
              let body = req.body.data, body.readableBytes > 0 else {
            throw APIError(.unprocessableEntity, "invalid_image", "图像数据无效：请用评议系统的扫描页面上传")
        }
        guard body.readableBytes <= Self.maxScanBytes else { throw APIError(.payloadTooLarge, "payload_too_large", "这一页的数据太大（超过 12 MB）") }
        // A page whose code cannot be read, sent again with the group, form and page printed on it.
        var named: (group: Int, form: Int, page: Int)?
        if req.query[String.self, at: "group"] != nil || req.query[String.self, at: "form"] != nil || req.query[String.self, at: "page"] != nil {
            guard let group = req.query[Int.self, at: "group"], let form = req.query[Int.self, at: "form"] else {
                throw APIError(.unprocessableEntity, "invalid", "指定页码时须同时给出评议人类别（group）和评议表（form）")
            }
            let page = req.query[String.self, at: "page"] == nil ? 0 : req.query[Int.self, at: "page"] ?? -1
            named = (group, form, page)
        }
        let outcome = try await PaperScanning.upload(deflated: Data(buffer: body), width: width, height: height, named: named, round: round,
                                                     campaign: campaign, by: actor, on: req.db)
        if !outcome.repeated { await LiveScreens.refresh(try campaign.requireID(), app: req.application) }
        let dto = try await scanDTO(outcome.scan, campaign: campaign, round: round, actor: actor, repeated: outcome.repeated, on: req.db)
        return outcome.repeated ? try await dto.encodeResponse(status: .ok, for: req) : try created(dto)
    }

    @Sendable
    func scan(req: Request) async throws -> PaperScanDTO {
        let (actor, campaign, round) = try await staffRound(req)
        return try await scanDTO(try await findScan(req, round), campaign: campaign, round: round, actor: actor, repeated: false, on: req.db)
    }

    /// The page straightened (`?row=N`: one secretary's row), as a grayscale PNG.
    @Sendable
    func scanImage(req: Request) async throws -> Response {
        let (_, campaign, round) = try await staffRound(req)
        let scan = try await findScan(req, round)
        guard let stored = scan.image, let pixels = UploadedZip.inflate(ArraySlice(stored), expected: scan.width * scan.height),
              let image = GrayImage(width: scan.width, height: scan.height, pixels: pixels) else {
            throw APIError(.gone, "image_erased", "这一页的图像已按规定删除")
        }
        var rect = PaperReader.wholePage
        var scale = 3.0
        if let row = req.query[Int.self, at: "row"] {
            guard let geometry = PaperScanning.forms(round, campaign: campaign).first(where: { $0.formIndex == scan.formIndex })?
                .geometry(page: scan.page), (0..<geometry.rows).contains(row) else { throw APIError.notFound("行") }
            rect = geometry.rowCrop(row)
            scale = PaperPageGeometry.rowCropScale
        }
        let straight = try PaperReader.straighten(image, rect: rect, scale: scale)
        let response = Response(status: .ok, body: .init(data: GrayPNG.encode(width: straight.width, height: straight.height, pixels: straight.pixels)))
        response.headers.contentType = .png
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    @Sendable
    func decideScan(req: Request) async throws -> PaperScanDTO {
        let (actor, campaign, round) = try await staffRound(req)
        guard actor.role == .teller else { throw APIError(.forbidden, "forbidden", "只有计票人可以确认扫描页") }
        let scan = try await findScan(req, round)
        guard scan.state == .unsure || scan.state == .decidedOnce else {
            throw APIError.conflict("这一页现在是“\(scan.state.label)”，没有需要确认的栏目")
        }
        let body = try req.content.decode(ScanMarksRequest.self)
        _ = try await PaperScanning.decide(scan, marks: body.marks ?? "", round: round, by: actor, on: req.db)
        return try await changedScan(req, campaign, round, actor)
    }

    @Sendable
    func ruleScan(req: Request) async throws -> PaperScanDTO {
        let (actor, campaign, round) = try await staffRound(req)
        guard actor.role == .scrutineer else { throw APIError(.forbidden, "forbidden", "只有监票人可以裁定") }
        let scan = try await findScan(req, round)
        let body = try req.content.decode(ScanMarksRequest.self)
        _ = try await PaperScanning.rule(scan, marks: body.marks, keep: body.keep, round: round, by: actor, on: req.db)
        return try await changedScan(req, campaign, round, actor)
    }

    /// 剔除: a teller or the scrutineer drops a page (a second scan, a page of another box) before the count.
    @Sendable
    func discardScan(req: Request) async throws -> PaperScanDTO {
        let (actor, campaign, round) = try await staffRound(req)
        guard actor.role == .teller || actor.role == .scrutineer else { throw APIError(.forbidden, "forbidden", "只有计票人或监票人可以剔除扫描页") }
        let scan = try await findScan(req, round)
        guard round.state.acceptsPaperEntry else { throw APIError.conflict("封箱后、计票前才能剔除扫描页") }
        let formName = PaperScanning.forms(round, campaign: campaign).first { $0.formIndex == scan.formIndex }?.form.name ?? ""
        try await PaperScanning.discard(scan, formName: formName, round: round, by: actor, on: req.db)
        return try await changedScan(req, campaign, round, actor)
    }

    @Sendable
    func drawSample(req: Request) async throws -> PaperScansDTO {
        let (actor, campaign, round) = try await staffRound(req)
        guard actor.role == .scrutineer else { throw APIError(.forbidden, "forbidden", "只有监票人可以抽查") }
        guard round.state.acceptsPaperEntry else { throw APIError.conflict("封箱后、计票前才能抽查") }
        _ = try await PaperScanning.drawSample(round: round, by: actor, on: req.db)
        return try await scansOverview(actor, campaign, round, on: req.db)
    }

    @Sendable
    func checkSample(req: Request) async throws -> PaperScanDTO {
        let (actor, campaign, round) = try await staffRound(req)
        guard actor.role == .scrutineer else { throw APIError(.forbidden, "forbidden", "只有监票人可以抽查") }
        let scan = try await findScan(req, round)
        let body = try req.content.decode(ScanMarksRequest.self)
        _ = try await PaperScanning.checkSample(scan, marks: body.marks ?? "", printedGroup: body.raterGroupID, printedForm: body.formIndex,
                                                round: round, by: actor, on: req.db)
        return try await scanDTO(try await findScan(req, round), campaign: campaign, round: round, actor: actor, repeated: false, on: req.db)
    }

    // MARK: answers

    /// After a person's change to a page: the live screens learn of it, and the answer is the page as it is now.
    func changedScan(_ req: Request, _ campaign: Campaign, _ round: BallotRound, _ actor: Actor) async throws -> PaperScanDTO {
        await LiveScreens.refresh(try campaign.requireID(), app: req.application)
        return try await scanDTO(try await findScan(req, round), campaign: campaign, round: round, actor: actor, repeated: false, on: req.db)
    }

    func findScan(_ req: Request, _ round: BallotRound) async throws -> PaperScan {
        guard let id = req.parameters.get("scanID").flatMap(UUID.init(uuidString:)), let scan = try await PaperScan.find(id, on: req.db),
              scan.roundID == round.id else { throw APIError.notFound("扫描页") }
        return scan
    }

    func scansOverview(_ actor: Actor, _ campaign: Campaign, _ round: BallotRound, on db: any Database) async throws -> PaperScansDTO {
        let roundID = try round.requireID()
        let scans = try await PaperScan.listing(roundID: roundID, on: db).all()
        let numbered = try await PaperSheet.query(on: db).filter(\.$roundID == roundID).all()
        let checks = try await PaperScanCheck.query(on: db).filter(\.$scan.$id ~~ scans.compactMap(\.id)).all()
        let groups = round.sheetPlan
        let forms = PaperScanning.forms(round, campaign: campaign)
        let counts = round.boxCounts
        let inHand = PaperScanning.sheetsInHand(forms: forms, scans: scans, numbered: numbered)
        let formRows = zip(forms, inHand).map { form, have in
            PaperScanFormDTO(
                formIndex: form.formIndex, formID: form.form.id, formName: form.form.name, pages: form.pages.count,
                issued: round.issuedSheets * form.pages.count, boxCount: counts.flatMap { $0.indices.contains(form.formIndex) ? $0[form.formIndex] : nil },
                recognized: scans.filter { $0.formIndex == form.formIndex && $0.state.isReady }.count,
                pending: scans.filter { $0.formIndex == form.formIndex && !$0.state.isReady && $0.state != .discarded }.count,
                keyedByHand: have - scans.filter { $0.formIndex == form.formIndex && $0.state.isReady }.count)
        }
        let rows = scans.sorted { ($0.formIndex, $0.page, $0.sha256) < ($1.formIndex, $1.page, $1.sha256) }.map { scan in
            PaperScanSummaryDTO(
                id: scan.id!, ref: scan.ref, raterGroupID: scan.raterGroupID,
                raterGroup: groups.first { $0.raterGroupID == scan.raterGroupID }?.raterGroup ?? "",
                formIndex: scan.formIndex, formName: forms.first { $0.formIndex == scan.formIndex }?.form.name ?? "", page: scan.page,
                state: scan.state.rawValue, stateLabel: scan.state.label,
                unsure: scan.reading.utf8.filter { $0 == PaperMarkRules.unsure }.count,
                sampled: scan.sampled,
                sampleChecked: checks.contains { $0.$scan.id == scan.id && ($0.kind == .sample || $0.kind == .sampleCorrected) },
                decidedByMe: checks.contains { $0.$scan.id == scan.id && $0.kind == .decision && $0.personID == actor.id })
        }
        return PaperScansDTO(round: try await roundDTO(round, on: db), paperForms: groups, forms: formRows, scans: rows,
                             sample: try await PaperScanning.sampleOutcome(scans, on: db).map(ScanSampleDTO.init))
    }

    func scanDTO(_ scan: PaperScan, campaign: Campaign, round: BallotRound, actor: Actor, repeated: Bool, on db: any Database) async throws -> PaperScanDTO {
        let form = PaperScanning.forms(round, campaign: campaign).first { $0.formIndex == scan.formIndex }
        let reportees = try await Reportee.query(on: db).filter(\.$campaign.$id == campaign.requireID()).all()
        let names = Dictionary(reportees.compactMap { r in r.id.map { ($0.uuidString, r.name) } }, uniquingKeysWith: { a, _ in a })
        let checks = try await PaperScanCheck.query(on: db).filter(\.$scan.$id == scan.requireID()).all()
        let geometry = form?.geometry(page: scan.page)
        // The columns' places on a row crop (`?row=`), as fractions of its width, for the check screen's highlight.
        let spans = geometry?.rowCropColumnSpans ?? []
        // Another teller's decision is not shown: each decides on their own. A scrutineer ruling sees both.
        let rulings = scan.state == .mismatch && actor.role == .scrutineer ? checks.filter { $0.kind == .decision }.map(\.marks) : []
        // A held second scan says which page it repeats, by that page's reference.
        var duplicateNote: String?
        if let earlierID = scan.duplicateOf,
           let earlier = try await PaperScan.listing(roundID: try round.requireID(), on: db).filter(\.$id == earlierID).first() {
            duplicateNote = "可能是页 \(earlier.ref)（\(form?.form.name ?? "")" + ((form?.pages.count ?? 1) > 1 ? "第 \(earlier.page + 1) 页" : "")
                + "，\(earlier.state.label)）的重复扫描：两页识别结果相同"
        }
        return PaperScanDTO(
            id: try scan.requireID(), raterGroupID: scan.raterGroupID,
            raterGroup: round.sheetPlan.first { $0.raterGroupID == scan.raterGroupID }?.raterGroup ?? "",
            formIndex: scan.formIndex, formName: form?.form.name ?? "", page: scan.page, state: scan.state.rawValue,
            stateLabel: scan.state.label, repeated: repeated, reading: scan.reading,
            rows: (form?.pages[scan.page] ?? []).map { names[$0] ?? "" },
            columns: (form?.form.columns ?? []).map(\.name), columnSpans: spans, sampled: scan.sampled,
            decisions: rulings, duplicateOf: scan.duplicateOf, ref: scan.ref, duplicateNote: duplicateNote)
    }
}

struct BoxCountsRequest: Content {
    /// Sheets of each form taken out of the box, in the round's form order.
    var counts: [Int]
}

struct ScanMarksRequest: Content {
    /// The page's symbols row by row, column by column: 0 blank, 1 好, 2 较好, 3 一般, 4 差, X several marks.
    var marks: String?
    /// For a possible second scan: keep it (true) or drop it (false).
    var keep: Bool?
    /// For a sample check: the rater group and the form printed on the sheet in words, as the scrutineer reads them.
    var raterGroupID: UUID?
    var formIndex: Int?
}

struct PaperScanFormDTO: Content {
    var formIndex: Int
    var formID: String
    var formName: String
    var pages: Int
    var issued: Int
    var boxCount: Int?
    var recognized: Int
    var pending: Int
    var keyedByHand: Int
}

struct PaperScanSummaryDTO: Content {
    var id: UUID
    /// The page's short reference (from its image's hash, not its arrival), as tellers and the scrutineer name it.
    var ref: String
    var raterGroupID: UUID
    var raterGroup: String
    var formIndex: Int
    var formName: String
    var page: Int
    var state: String
    var stateLabel: String
    var unsure: Int
    var sampled: Bool
    var sampleChecked: Bool
    var decidedByMe: Bool
}

struct ScanSampleDTO: Content, Equatable {
    var pages: Int
    var drawn: Int
    var checked: Int
    var corrected: Int
    var discarded: Int?
    var summary: String

    init(_ sample: ScanSample) {
        pages = sample.pages
        drawn = sample.drawn
        checked = sample.checked
        corrected = sample.corrected
        discarded = sample.discarded
        summary = sample.summary
    }
}

struct PaperScansDTO: Content {
    var round: RoundDTO
    /// Sets printed per rater group; a page's `group` in the form URL is the index here.
    var paperForms: [PaperFormsDTO]
    var forms: [PaperScanFormDTO]
    var scans: [PaperScanSummaryDTO]
    var sample: ScanSampleDTO?
}

struct PaperScanDTO: Content {
    var id: UUID
    var raterGroupID: UUID
    var raterGroup: String
    var formIndex: Int
    var formName: String
    var page: Int
    var state: String
    var stateLabel: String
    var repeated: Bool
    var reading: String
    var rows: [String]
    var columns: [String]
    var columnSpans: [[Double]]
    var sampled: Bool
    var decisions: [String]
    var duplicateOf: UUID?
    /// The page's short reference (from its image's hash, not its arrival).
    var ref: String
    /// For a held second scan: which page it may repeat, in words.
    var duplicateNote: String?
}
