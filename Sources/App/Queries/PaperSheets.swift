import Fluent
import PingyiCore
import Vapor

/// 纸质票: the sheets of a round as the tally page shows them — their states, who keyed them, and where two keyings
/// of one sheet differ.
enum PaperSheets {
    /// Every numbered sheet of the round, with what `actor` has keyed, the round's layout and its paper forms.
    static func overview(of round: BallotRound, for actor: Actor, on db: any Database) async throws -> PaperOverviewDTO {
        let roundID = try round.requireID()
        let sheets = try await PaperSheet.query(on: db).filter(\.$roundID == roundID).sort(\.$serial).all()
        let entries = try await PaperEntry.query(on: db).filter(\.$sheet.$id ~~ sheets.compactMap(\.id)).all()
        let groups = try await groupNames(round, on: db)
        return PaperOverviewDTO(
            round: try await roundDTO(round, on: db), layout: try await layoutCells(round, on: db), paperForms: round.sheetPlan,
            sheets: sheets.map { sheet in
                let mine = entries.contains { $0.$sheet.id == sheet.id && $0.tellerID == actor.id }
                return PaperSheetStatusDTO(sheet, raterGroup: groups[sheet.raterGroupID] ?? "", state: sheet.state,
                                           entries: entries.filter { $0.$sheet.id == sheet.id }.count, keyedByMe: mine)
            })
    }

    /// The sheet numbered `rawSerial` in the round, or 404 (saying how to record a sheet that was never issued).
    static func sheet(_ rawSerial: String?, in round: BallotRound, on db: any Database) async throws -> PaperSheet {
        guard let serial = rawSerial.flatMap(Int.init), serial > 0,
              let sheet = try await PaperSheet.query(on: db).filter(\.$roundID == round.requireID()).filter(\.$serial == serial).first()
        else { throw APIError(.notFound, "not_found", "本轮没有这个编号的纸质票（若是未发出的选票，请登记为多出的选票）") }
        return sheet
    }

    /// One sheet's status line, with its rater group's name.
    static func status(of sheet: PaperSheet, in round: BallotRound, state: PaperSheet.State, entries: Int, keyedByMe: Bool,
                       on db: any Database) async throws -> PaperSheetStatusDTO {
        PaperSheetStatusDTO(sheet, raterGroup: try await groupNames(round, on: db)[sheet.raterGroupID] ?? "", state: state,
                            entries: entries, keyedByMe: keyedByMe)
    }

    /// A sheet's two entries and where they differ, for the scrutineer.
    static func detail(of sheet: PaperSheet, in round: BallotRound, campaign: Campaign, on db: any Database) async throws -> PaperSheetDetailDTO {
        let entries = try await PaperEntry.query(on: db).filter(\.$sheet.$id == sheet.requireID()).all()
        let labels = try await sheetCellLabels(sheet, round: round, campaign: campaign, on: db)
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
}

extension PaperSheetStatusDTO {
    init(_ sheet: PaperSheet, raterGroup: String, state: PaperSheet.State, entries: Int, keyedByMe: Bool) {
        self.init(serial: sheet.serial, raterGroupID: sheet.raterGroupID, raterGroup: raterGroup, formIndex: sheet.formIndex, page: sheet.page,
                  state: state.rawValue, stateLabel: state.label, entries: entries, keyedByMe: keyedByMe)
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
