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
        round.post("sheets", ":serial", "entry", use: enter).requiring(.staff, roles: [.teller], refusal: "只有计票人可以录入纸质票")
        round.post("sheets", ":serial", "decision", use: decide).requiring(.staff, roles: [.scrutineer], refusal: "只有监票人可以裁定")
        round.post("sheets", ":serial", "withdraw", use: withdraw).requiring(.staff)
        round.post("extra-sheets", use: extraSheets).requiring(.staff, roles: User.Role.admins.union([.chair, .scrutineer]))
    }

    @Sendable
    func sheets(req: Request) async throws -> PaperOverviewDTO {
        let (actor, _, round) = try await req.round()
        let roundID = try round.requireID()
        let sheets = try await PaperSheet.query(on: req.db).filter(\.$roundID == roundID).sort(\.$serial).all()
        let entries = try await PaperEntry.query(on: req.db).filter(\.$sheet.$id ~~ sheets.compactMap(\.id)).all()
        let groups = try await groupNames(round, on: req.db)
        return PaperOverviewDTO(
            round: try await roundDTO(round, on: req.db), layout: try await layoutCells(round, on: req.db), paperForms: round.sheetPlan,
            sheets: sheets.map { sheet in
                let mine = entries.contains { $0.$sheet.id == sheet.id && $0.tellerID == actor.id }
                return PaperSheetStatusDTO(serial: sheet.serial, raterGroupID: sheet.raterGroupID, raterGroup: groups[sheet.raterGroupID] ?? "", formIndex: sheet.formIndex, page: sheet.page, state: sheet.state.rawValue,
                                           stateLabel: sheet.state.label, entries: entries.filter { $0.$sheet.id == sheet.id }.count,
                                           keyedByMe: mine)
            })
    }

    /// 取票编号: the next sheet out of the box gets a number; tellers write it on the sheet's back and key it by it.
    @Sendable
    func number(req: Request) async throws -> Response {
        let (actor, campaign, round) = try await req.round()
        let body = try req.content.decode(NumberSheetRequest.self)
        guard let group = try await RaterGroup.find(body.raterGroupID, on: req.db), group.$campaign.id == campaign.id else {
            throw APIError.notFound("评议人类别")
        }
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
        let dto = PaperSheetStatusDTO(serial: sheet.serial, raterGroupID: sheet.raterGroupID, raterGroup: group.name, formIndex: sheet.formIndex,
                                      page: sheet.page, state: sheet.state.rawValue, stateLabel: sheet.state.label, entries: 0, keyedByMe: false)
        if repeated { return try await dto.encodeResponse(status: .ok, for: req) }
        await LiveScreens.refresh(try campaign.requireID(), app: req.application)
        return try created(dto)
    }

    /// 撤销编号: a number given by mistake, withdrawn before the sheet is keyed.
    @Sendable
    func withdraw(req: Request) async throws -> PaperSheetStatusDTO {
        let (actor, campaign, round) = try await req.round()
        let sheet = try await findSheet(req, round)
        guard round.state.acceptsPaperEntry else { throw APIError.conflict("封箱后、计票前才能撤销编号") }
        try await PaperKeying.withdraw(sheet, round: round, by: actor, on: req.db)
        await LiveScreens.refresh(try campaign.requireID(), app: req.application)
        return PaperSheetStatusDTO(serial: sheet.serial, raterGroupID: sheet.raterGroupID, raterGroup: try await groupNames(round, on: req.db)[sheet.raterGroupID] ?? "",
                                   formIndex: sheet.formIndex, page: sheet.page, state: sheet.state.rawValue, stateLabel: sheet.state.label,
                                   entries: 0, keyedByMe: false)
    }

    /// A sheet's two entries and where they differ, for the scrutineer.
    @Sendable
    func sheet(req: Request) async throws -> PaperSheetDetailDTO {
        let (_, campaign, round) = try await req.round()
        let sheet = try await findSheet(req, round)
        let entries = try await PaperEntry.query(on: req.db).filter(\.$sheet.$id == sheet.requireID()).all()
        let labels = try await sheetCellLabels(sheet, round: round, campaign: campaign, on: req.db)
        var differences: [PaperDifferenceDTO] = []
        if entries.count == 2, sheet.state == .mismatch {
            let (a, b) = (entries[0], entries[1])
            if a.unreadable != b.unreadable {
                differences.append(PaperDifferenceDTO(cell: -1, label: "整张选票", first: a.unreadable ? "无法辨认" : "可辨认", second: b.unreadable ? "无法辨认" : "可辨认"))
            } else {
                for (index, (x, y)) in zip(a.marks.utf8, b.marks.utf8).enumerated() where x != y {
                    differences.append(PaperDifferenceDTO(cell: index, label: labels[index], first: symbolLabel(x), second: symbolLabel(y)))
                }
            }
        }
        // The scrutineer holds the sheet itself; the two readings help find the cells to look at.
        let readings = sheet.state == .mismatch ? entries.map { $0.unreadable ? "" : $0.marks } : []
        return PaperSheetDetailDTO(serial: sheet.serial, state: sheet.state.rawValue, stateLabel: sheet.state.label,
                                   entries: entries.count, differences: differences, readings: readings)
    }

    @Sendable
    func enter(req: Request) async throws -> PaperSheetStatusDTO {
        let (actor, campaign, round) = try await req.round()
        guard round.state.acceptsPaperEntry else { throw APIError.conflict("封箱后、计票前才能录入纸质票") }
        let sheet = try await findSheet(req, round)
        let body = try req.content.decode(PaperEntryRequest.self)
        let state = try await PaperKeying.enter(sheet, round: round, campaign: campaign, keyed: body.marks, unreadable: body.unreadable ?? false,
                                                by: actor, on: req.db)
        await LiveScreens.refresh(try campaign.requireID(), app: req.application)
        return PaperSheetStatusDTO(serial: sheet.serial, raterGroupID: sheet.raterGroupID, raterGroup: try await groupNames(round, on: req.db)[sheet.raterGroupID] ?? "", formIndex: sheet.formIndex, page: sheet.page, state: state.rawValue, stateLabel: state.label,
                                   entries: state == .keyedOnce ? 1 : 2, keyedByMe: true)
    }

    /// The scrutineer's reading of a sheet the tellers disagreed on.
    @Sendable
    func decide(req: Request) async throws -> PaperSheetStatusDTO {
        let (actor, campaign, round) = try await req.round()
        guard round.state.acceptsPaperEntry else { throw APIError.conflict("封箱后、计票前才能裁定纸质票") }
        let sheet = try await findSheet(req, round)
        guard sheet.state == .mismatch else { throw APIError.conflict("第 \(sheet.serial) 号选票没有需要裁定的不一致") }
        let body = try req.content.decode(PaperEntryRequest.self)
        try await PaperKeying.decide(sheet, round: round, campaign: campaign, keyed: body.marks, unreadable: body.unreadable ?? false,
                                     by: actor, on: req.db)
        await LiveScreens.refresh(try campaign.requireID(), app: req.application)
        return PaperSheetStatusDTO(serial: sheet.serial, raterGroupID: sheet.raterGroupID, raterGroup: try await groupNames(round, on: req.db)[sheet.raterGroupID] ?? "", formIndex: sheet.formIndex, page: sheet.page, state: sheet.state.rawValue, stateLabel: sheet.state.label,
                                   entries: 2, keyedByMe: false)
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

    // MARK: helpers

    func findSheet(_ req: Request, _ round: BallotRound) async throws -> PaperSheet {
        guard let serial = req.parameters.get("serial").flatMap(Int.init), serial > 0,
              let sheet = try await PaperSheet.query(on: req.db).filter(\.$roundID == round.requireID()).filter(\.$serial == serial).first()
        else { throw APIError(.notFound, "not_found", "本轮没有这个编号的纸质票（若是未发出的选票，请登记为多出的选票）") }
        return sheet
    }
}

func symbolLabel(_ byte: UInt8) -> String {
    switch BallotLayout.outcome(byte) {
    case .abstention?: "空白"
    case .grade(let grade)?: grade.label
    case .void?: "多选"
    case nil: "?"
    }
}

func groupNames(_ round: BallotRound, on db: any Database) async throws -> [UUID: String] {
    let groups = try await RaterGroup.query(on: db).filter(\.$campaign.$id == round.$campaign.id).all()
    return Dictionary(groups.map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
}

/// What each position of a sheet's keyed marks stands for, as "王建华 · 抓基层党建工作 · 总体评价": a one-form sheet's
/// own form and page (its rows' secretaries, its form's columns), a whole set's the round's layout.
func sheetCellLabels(_ sheet: PaperSheet, round: BallotRound, campaign: Campaign, on db: any Database) async throws -> [String] {
    guard let (form, page) = try PaperKeying.formPage(of: sheet, round: round, campaign: campaign) else {
        return try await layoutCells(round, on: db).map(\.label)
    }
    let reportees = try await Reportee.query(on: db).filter(\.$campaign.$id == round.$campaign.id).all()
    let names = Dictionary(reportees.map { ($0.id!.uuidString, $0.name) }, uniquingKeysWith: { a, _ in a })
    return form.pages[page].flatMap { reportee in
        form.form.columns.map { "\(names[reportee] ?? "?") · \(form.form.name) · \($0.name)" }
    }
}

/// Each cell of the round's layout, by ids and as "王建华 · 抓基层党建工作 · 总体评价".
func layoutCells(_ round: BallotRound, on db: any Database) async throws -> [LayoutCellDTO] {
    let campaign = try await Campaign.find(round.$campaign.id, on: db)
    let reportees = try await Reportee.query(on: db).filter(\.$campaign.$id == round.$campaign.id).all()
    let names = Dictionary(reportees.map { ($0.id!.uuidString, $0.name) }, uniquingKeysWith: { a, _ in a })
    let forms = Dictionary((campaign?.forms ?? []).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    return round.layout.cells.enumerated().map { position, cell in
        let form = forms[cell.form]
        return LayoutCellDTO(
            position: position, reporteeID: cell.reportee, formID: cell.form, columnID: cell.column,
            label: "\(names[cell.reportee] ?? "?") · \(form?.name ?? cell.form) · \(form?.column(cell.column)?.name ?? cell.column)")
    }
}
