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
        round.get("forms", ":group", ":form", ":page", use: formPage).requiring(.staff)
        round.put("box-counts", use: boxCounts).requiring(.staff)
        round.get("scans", use: scans).requiring(.staff)
        round.on(.POST, "scans", body: .collect(maxSize: ByteCount(value: Self.maxScanBytes)), use: uploadScan).requiring(.staff)
        round.post("scans", "sample", use: drawSample).requiring(.drawSample)
        round.get("scans", ":scanID", use: scan).requiring(.staff)
        round.get("scans", ":scanID", "image", use: scanImage).requiring(.staff)
        round.post("scans", ":scanID", "decision", use: decideScan).requiring(.decideScan)
        round.post("scans", ":scanID", "ruling", use: ruleScan).requiring(.ruleScan)
        round.post("scans", ":scanID", "sample-check", use: checkSample).requiring(.drawSample)
        round.post("scans", ":scanID", "discard", use: discardScan)
            .requiring(.discardScan)
    }

    /// One printed page: `group` is the index in the round's paper plan, `form` the form's index, `page` from 0.
    @Sendable
    func formPage(req: Request) async throws -> Response {
        let (_, campaign, round) = try await req.round()
        guard let group = req.parameters.get("group").flatMap(Int.init), round.sheetPlan.indices.contains(group),
              let formIndex = req.parameters.get("form").flatMap(Int.init), let page = req.parameters.get("page").flatMap(Int.init),
              let form = PaperScanning.forms(round, campaign: campaign).first(where: { $0.formIndex == formIndex }),
              form.pages.indices.contains(page) else { throw APIError.notFound("评议表页") }
        guard let geometry = form.geometry(page: page) else {
            throw APIError(.unprocessableEntity, "form_too_wide", "\(form.form.name)的栏目太多，A4 横向放不下足够大的方框，请减少单项评价栏目")
        }
        let svg = try await ScansOverview.formPageSVG(form, page: page, group: group, geometry: geometry, campaign: campaign, round: round, on: req.db)
        return svgResponse(svg)
    }

    /// 清点票数: sheets of each form taken out of the box.
    @Sendable
    func boxCounts(req: Request) async throws -> PaperScansDTO {
        let (actor, campaign, round) = try await req.round()
        let body = try req.content.decode(BoxCountsRequest.self)
        try await PaperScanning.setBoxCounts(body.counts, round: round, formCount: PaperScanning.forms(round, campaign: campaign).count, by: actor, on: req.db)
        return try await ScansOverview.of(campaign: campaign, for: actor, round: try await reloaded(round, on: req.db), on: req.db)
    }

    @Sendable
    func scans(req: Request) async throws -> PaperScansDTO {
        let (actor, campaign, round) = try await req.round()
        return try await ScansOverview.of(campaign: campaign, for: actor, round: round, on: req.db)
    }

    /// One page as the browser normalized it: `?width=&height=`, the body the raw-deflated grayscale pixels.
    @Sendable
    func uploadScan(req: Request) async throws -> Response {
        let (actor, campaign, round) = try await req.round()
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
        let dto = try await ScansOverview.page(outcome.scan, campaign: campaign, round: round, for: actor, repeated: outcome.repeated, on: req.db)
        return outcome.repeated ? try await dto.encodeResponse(status: .ok, for: req) : try created(dto)
    }

    @Sendable
    func scan(req: Request) async throws -> PaperScanDTO {
        let (actor, campaign, round) = try await req.round()
        return try await ScansOverview.page(try await ScansOverview.scan(req.parameters.get("scanID"), in: round, on: req.db), campaign: campaign, round: round, for: actor, repeated: false, on: req.db)
    }

    /// The page straightened (`?row=N`: one secretary's row), as a grayscale PNG.
    @Sendable
    func scanImage(req: Request) async throws -> Response {
        let (_, campaign, round) = try await req.round()
        let scan = try await ScansOverview.scan(req.parameters.get("scanID"), in: round, on: req.db)
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
        let (actor, campaign, round) = try await req.round()
        let scan = try await ScansOverview.scan(req.parameters.get("scanID"), in: round, on: req.db)
        guard scan.state.awaitsTellerDecision else {
            throw APIError.conflict("这一页现在是“\(scan.state.label)”，没有需要确认的栏目")
        }
        let body = try req.content.decode(ScanMarksRequest.self)
        _ = try await PaperScanning.decide(scan, marks: body.marks ?? "", round: round, by: actor, on: req.db)
        return try await changedScan(req, campaign, round, actor)
    }

    @Sendable
    func ruleScan(req: Request) async throws -> PaperScanDTO {
        let (actor, campaign, round) = try await req.round()
        let scan = try await ScansOverview.scan(req.parameters.get("scanID"), in: round, on: req.db)
        let body = try req.content.decode(ScanMarksRequest.self)
        _ = try await PaperScanning.rule(scan, marks: body.marks, keep: body.keep, round: round, by: actor, on: req.db)
        return try await changedScan(req, campaign, round, actor)
    }

    /// 剔除: a teller or the scrutineer drops a page (a second scan, a page of another box) before the count.
    @Sendable
    func discardScan(req: Request) async throws -> PaperScanDTO {
        let (actor, campaign, round) = try await req.round()
        let scan = try await ScansOverview.scan(req.parameters.get("scanID"), in: round, on: req.db)
        guard round.state.acceptsPaperEntry else { throw APIError.conflict("封箱后、计票前才能剔除扫描页") }
        let formName = PaperScanning.forms(round, campaign: campaign).first { $0.formIndex == scan.formIndex }?.form.name ?? ""
        try await PaperScanning.discard(scan, formName: formName, round: round, by: actor, on: req.db)
        return try await changedScan(req, campaign, round, actor)
    }

    @Sendable
    func drawSample(req: Request) async throws -> PaperScansDTO {
        let (actor, campaign, round) = try await req.round()
        guard round.state.acceptsPaperEntry else { throw APIError.conflict("封箱后、计票前才能抽查") }
        _ = try await PaperScanning.drawSample(round: round, by: actor, on: req.db)
        return try await ScansOverview.of(campaign: campaign, for: actor, round: round, on: req.db)
    }

    @Sendable
    func checkSample(req: Request) async throws -> PaperScanDTO {
        let (actor, campaign, round) = try await req.round()
        let scan = try await ScansOverview.scan(req.parameters.get("scanID"), in: round, on: req.db)
        let body = try req.content.decode(ScanMarksRequest.self)
        _ = try await PaperScanning.checkSample(scan, marks: body.marks ?? "", printedGroup: body.raterGroupID, printedForm: body.formIndex,
                                                round: round, by: actor, on: req.db)
        return try await ScansOverview.page(try await ScansOverview.scan(req.parameters.get("scanID"), in: round, on: req.db), campaign: campaign, round: round, for: actor, repeated: false, on: req.db)
    }

    // MARK: answers

    /// After a person's change to a page: the live screens learn of it, and the answer is the page as it is now.
    func changedScan(_ req: Request, _ campaign: Campaign, _ round: BallotRound, _ actor: Actor) async throws -> PaperScanDTO {
        await LiveScreens.refresh(try campaign.requireID(), app: req.application)
        return try await ScansOverview.page(try await ScansOverview.scan(req.parameters.get("scanID"), in: round, on: req.db), campaign: campaign, round: round, for: actor, repeated: false, on: req.db)
    }
}
