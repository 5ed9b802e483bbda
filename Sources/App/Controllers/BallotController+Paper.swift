import Fluent
import SQLKit
import PingyiCore
import Vapor

/// 纸质票: after the box is sealed, each returned sheet set is keyed by two tellers independently, by serial number.
/// Agreement puts its ballot in the box; disagreement waits for a scrutineer, who decides from the sheet.
/// Marks are keyed as one symbol per cell in the round's layout: 0 blank (弃权), 1 好, 2 较好, 3 一般, 4 差, X several
/// marks (that column void); an unreadable sheet is a void ballot.
extension BallotController {
    func bootPaper(_ rounds: any RoutesBuilder) {
        let round = rounds.grouped(":roundID")
        round.get("sheets", use: sheets).requiring(.staff)
        round.post("sheets", use: number).requiring(.staff)
        round.get("sheets", ":serial", use: sheet).requiring(.staff)
        round.post("sheets", ":serial", "entry", use: enter).requiring(.enterPaper)
        round.post("sheets", ":serial", "decision", use: decide).requiring(.decidePaper)
        round.post("sheets", ":serial", "withdraw", use: withdraw).requiring(.staff)
        round.post("extra-sheets", use: extraSheets).requiring(.extraSheets)
    }

    @Sendable
    func sheets(req: Request) async throws -> PaperOverviewDTO {
        let (actor, _, round) = try await req.round()
        return try await PaperSheets.overview(of: round, for: actor, on: req.db)
    }

    /// 取票编号: the next sheet out of the box gets a number; tellers write it on the sheet's back and key it by it.
    @Sendable
    func number(req: Request) async throws -> Response {
        let (actor, campaign, round) = try await req.round()
        let body = try req.content.decode(NumberSheetRequest.self)
        let group = try await req.child(RaterGroup.self, id: body.raterGroupID, of: campaign, "评议人类别")
        var formPage: (form: Int, page: Int)?
        if let form = body.formIndex {
            let page = body.page ?? 0
            guard PaperScanning.forms(round, campaign: campaign).first(where: { $0.formIndex == form })?.pages.indices.contains(page) == true else {
                throw APIError.notFound("评议表")
            }
            formPage = (form, page)
        }
        let (sheet, repeated) = try await PaperKeying.number(raterGroupID: try group.requireID(), formPage: formPage, requestKey: body.requestKey,
                                                             round: round, by: actor, on: req.db)
        let dto = PaperSheetStatusDTO(sheet, raterGroup: group.name, state: sheet.state, entries: 0, keyedByMe: false)
        if repeated { return try await dto.encodeResponse(status: .ok, for: req) }
        await LiveScreens.refresh(try campaign.requireID(), app: req.application)
        return try created(dto)
    }

    /// 撤销编号: a number given by mistake, withdrawn before the sheet is keyed.
    @Sendable
    func withdraw(req: Request) async throws -> PaperSheetStatusDTO {
        let (actor, campaign, round) = try await req.round()
        let sheet = try await PaperSheets.sheet(req.parameters.get("serial"), in: round, on: req.db)
        guard round.state.acceptsPaperEntry else { throw APIError.conflict("封箱后、计票前才能撤销编号") }
        try await PaperKeying.withdraw(sheet, round: round, by: actor, on: req.db)
        await LiveScreens.refresh(try campaign.requireID(), app: req.application)
        return try await PaperSheets.status(of: sheet, in: round, state: sheet.state, entries: 0, keyedByMe: false, on: req.db)
    }

    /// A sheet's two entries and where they differ, for the scrutineer.
    @Sendable
    func sheet(req: Request) async throws -> PaperSheetDetailDTO {
        let (_, campaign, round) = try await req.round()
        let sheet = try await PaperSheets.sheet(req.parameters.get("serial"), in: round, on: req.db)
        return try await PaperSheets.detail(of: sheet, in: round, campaign: campaign, on: req.db)
    }

    @Sendable
    func enter(req: Request) async throws -> PaperSheetStatusDTO {
        let (actor, campaign, round) = try await req.round()
        guard round.state.acceptsPaperEntry else { throw APIError.conflict("封箱后、计票前才能录入纸质票") }
        let sheet = try await PaperSheets.sheet(req.parameters.get("serial"), in: round, on: req.db)
        let body = try req.content.decode(PaperEntryRequest.self)
        let state = try await PaperKeying.enter(sheet, round: round, campaign: campaign, keyed: body.marks, unreadable: body.unreadable ?? false,
                                                by: actor, on: req.db)
        await LiveScreens.refresh(try campaign.requireID(), app: req.application)
        return try await PaperSheets.status(of: sheet, in: round, state: state, entries: state == .keyedOnce ? 1 : 2, keyedByMe: true, on: req.db)
    }

    /// The scrutineer's reading of a sheet the tellers disagreed on.
    @Sendable
    func decide(req: Request) async throws -> PaperSheetStatusDTO {
        let (actor, campaign, round) = try await req.round()
        guard round.state.acceptsPaperEntry else { throw APIError.conflict("封箱后、计票前才能裁定纸质票") }
        let sheet = try await PaperSheets.sheet(req.parameters.get("serial"), in: round, on: req.db)
        guard sheet.state == .mismatch else { throw APIError.conflict("第 \(sheet.serial) 号选票没有需要裁定的不一致") }
        let body = try req.content.decode(PaperEntryRequest.self)
        try await PaperKeying.decide(sheet, round: round, campaign: campaign, keyed: body.marks, unreadable: body.unreadable ?? false,
                                     by: actor, on: req.db)
        await LiveScreens.refresh(try campaign.requireID(), app: req.application)
        return try await PaperSheets.status(of: sheet, in: round, state: sheet.state, entries: 2, keyedByMe: false, on: req.db)
    }

    /// Sheets found in the box that were never issued (no serial, a repeated serial): returned and void.
    @Sendable
    func extraSheets(req: Request) async throws -> RoundDTO {
        let (actor, campaign, round) = try await req.round()
        let body = try req.content.decode(ExtraSheetsRequest.self)
        try await BallotRounds.recordExtraSheets(body.count, in: round, campaign: campaign, by: actor, on: req.db)
        await LiveScreens.refresh(try campaign.requireID(), app: req.application)
        return try await roundDTO(try await reloaded(round, on: req.db), on: req.db)
    }
}
