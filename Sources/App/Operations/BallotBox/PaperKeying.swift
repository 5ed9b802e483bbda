import Fluent
import Foundation
import PingyiCore
import SQLKit

/// 纸质票录入: each returned sheet is keyed by two tellers; agreement puts one ballot in the box, disagreement waits
/// for a scrutineer. Every step claims the sheet's row in the state it read (a conditional UPDATE), inside a
/// transaction that also holds the round against a concurrent count, so one sheet gives at most one ballot however
/// many clicks, tellers or instances act on it at once.
enum PaperKeying {
    /// 取票编号: a sheet taken out of the opened box gets the round's next number (written on its back), under the
    /// round's lock so two tellers numbering at once get two numbers. The number says only where it lay in the box.
    /// `requestKey` is the browser's key for one click: the same key again (a double click, a retry) answers the sheet
    /// it numbered (`repeated`), never a second number.
    static func number(raterGroupID: UUID, formPage: (form: Int, page: Int)? = nil, requestKey: String? = nil, round: BallotRound,
                       by actor: Actor, on db: any Database) async throws -> (sheet: PaperSheet, repeated: Bool) {
        let roundID = try round.requireID()
        if let requestKey, !PaperSheet.isRequestKey(requestKey) {
            throw APIError(.unprocessableEntity, "invalid", "请求编号无效：应为 8–64 位字母、数字或连字符")
        }
        return try await db.writeTransaction { db in
            try await BallotRounds.requireRoundWork(round, on: db)
            guard try await BallotRounds.lockedState(of: roundID, on: db, forUpdate: true).acceptsPaperEntry else {
                throw APIError.conflict("封箱后、计票前才能取出纸质票编号")
            }
            if let requestKey, let earlier = try await PaperSheet.query(on: db).filter(\.$roundID == roundID)
                .filter(\.$requestKey == requestKey).first() {
                guard earlier.raterGroupID == raterGroupID, earlier.formIndex == formPage?.form, earlier.page == formPage?.page else {
                    throw APIError.conflict("这次点击已编为第 \(earlier.serial) 号（另一评议人类别或评议表），请刷新后再取票")
                }
                return (earlier, true)
            }
            let last = try await PaperSheet.query(on: db).filter(\.$roundID == roundID).max(\.$serial) ?? 0
            let sheet = PaperSheet(roundID: roundID, serial: last + 1, raterGroupID: raterGroupID, formIndex: formPage?.form, page: formPage?.page,
                                   requestKey: requestKey)
            try await sheet.save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: round.$campaign.id, action: "paper.number",
                                  summary: "第 \(round.number) 轮取出纸质票，编为第 \(sheet.serial) 号")
            return (sheet, false)
        }
    }

    /// 撤销编号: a number given by mistake (a second click, a sheet put back) is withdrawn before the sheet is keyed, so
    /// it neither blocks the count nor needs a misstated box count. The number stays used; a 409 once keyed or counted.
    static func withdraw(_ sheet: PaperSheet, round: BallotRound, by actor: Actor, on db: any Database) async throws {
        switch sheet.state {
        case .issued: break
        case .withdrawn: throw APIError.conflict("第 \(sheet.serial) 号已撤销编号")
        default: throw APIError.conflict("第 \(sheet.serial) 号选票已录入，不能撤销编号")
        }
        try await db.writeTransaction { db in
            try await requireKeying(round, on: db)
            try await claim(sheet, from: .issued, to: .withdrawn, on: db)
            try await recordAudit(on: db, actor: actor, campaignID: round.$campaign.id, action: "paper.withdraw",
                                  summary: "第 \(round.number) 轮撤销第 \(sheet.serial) 号纸质票的编号")
        }
    }

    /// One teller's keying (the marks as typed, checked against what the sheet holds). Returns the sheet's new state.
    static func enter(_ sheet: PaperSheet, round: BallotRound, campaign: Campaign, keyed: String, unreadable: Bool, by actor: Actor,
                      on db: any Database) async throws -> PaperSheet.State {
        let sheetID = try sheet.requireID()
        guard sheet.state != .withdrawn else { throw APIError.conflict("第 \(sheet.serial) 号已撤销编号，不能录入") }
        let place = try formPage(of: sheet, round: round, campaign: campaign)
        let marks = try checkedMarks(keyed, unreadable: unreadable, place: place, round: round)
        return try await db.writeTransaction { db in
            try await requireKeying(round, on: db)
            let entries = try await PaperEntry.query(on: db).filter(\.$sheet.$id == sheetID).all()
            guard !entries.contains(where: { $0.tellerID == actor.id }) else {
                throw APIError.conflict("您已录入过第 \(sheet.serial) 号选票，第二次录入须由另一位计票人完成")
            }
            guard entries.count < 2 else { throw APIError.conflict("第 \(sheet.serial) 号选票已录入两次") }
            let state: PaperSheet.State
            if let first = entries.first {
                let agree = first.marks == marks && first.unreadable == unreadable
                state = agree ? .confirmed : .mismatch
                try await claim(sheet, from: .keyedOnce, to: state, on: db)
                if agree { try await storeBallot(sheet, round: round, place: place, marks: marks, unreadable: unreadable, on: db) }
            } else {
                state = .keyedOnce
                try await claim(sheet, from: .issued, to: state, on: db)
            }
            // SQLKit, not a Fluent model: Fluent logs a model's values at debug level, and these are a ballot's marks.
            try await (db as! any SQLDatabase).insert(into: PaperEntry.schema)
                .columns("id", "sheet_id", "teller_id", "marks", "unreadable")
                .values(SQLBind(UUID()), SQLBind(sheetID), SQLBind(actor.id), SQLBind(marks), SQLBind(unreadable))
                .run()
            try await recordAudit(on: db, actor: actor, campaignID: round.$campaign.id, action: "paper.entry",
                                  summary: "录入第 \(round.number) 轮第 \(sheet.serial) 号纸质票（\(state.label)）")
            return state
        }
    }

    /// The scrutineer's reading of a sheet the tellers disagreed on: its one ballot.
    static func decide(_ sheet: PaperSheet, round: BallotRound, campaign: Campaign, keyed: String, unreadable: Bool, by actor: Actor,
                       on db: any Database) async throws {
        let place = try formPage(of: sheet, round: round, campaign: campaign)
        let marks = try checkedMarks(keyed, unreadable: unreadable, place: place, round: round)
        try await db.writeTransaction { db in
            try await requireKeying(round, on: db)
            try await claim(sheet, from: .mismatch, to: .confirmed, on: db)
            try await storeBallot(sheet, round: round, place: place, marks: marks, unreadable: unreadable, on: db)
            try await recordAudit(on: db, actor: actor, campaignID: round.$campaign.id, action: "paper.decision",
                                  summary: "监票人裁定第 \(round.number) 轮第 \(sheet.serial) 号纸质票")
        }
    }

    /// Keying happens between the seal and the count, and only in a campaign whose rounds may still be worked on.
    static func requireKeying(_ round: BallotRound, on db: any Database) async throws {
        try await BallotRounds.requireRoundWork(round, on: db)
        guard try await BallotRounds.lockedState(of: round.requireID(), on: db).acceptsPaperEntry else {
            throw APIError.conflict("封箱后、计票前才能录入或裁定纸质票")
        }
    }

    /// Moves the sheet on only if it is still as read; a second click or a concurrent teller gets a 409.
    static func claim(_ sheet: PaperSheet, from: PaperSheet.State, to: PaperSheet.State, on db: any Database) async throws {
        guard try await claimRow("""
            UPDATE "paper_sheets" SET "state" = \(bind: to.rawValue) WHERE "id" = \(bind: try sheet.requireID())
            AND "state" = \(bind: from.rawValue)
            """, on: db) else {
            throw APIError.conflict("第 \(sheet.serial) 号选票刚刚已由他人处理，请刷新后再看")
        }
        sheet.state = to
    }

    /// A whole set's marks go in as keyed; a one-form sheet's are placed in its page's cells, `-` elsewhere (an
    /// unreadable one is void in its own cells only).
    static func storeBallot(_ sheet: PaperSheet, round: BallotRound, place: (PaperFormPages, Int)?, marks: String, unreadable: Bool,
                            on db: any Database) async throws {
        var stored = unreadable ? "" : marks
        if let (form, page) = place {
            let cells = form.pages[page].count * form.form.columns.count
            guard let placed = form.ballotMarks(page: page, symbols: unreadable ? Array(repeating: UInt8(ascii: "X"), count: cells) : Array(marks.utf8),
                                                layout: round.layout) else { throw APIError.conflict("这张纸质票的评议表与本轮不符") }
            stored = placed
        }
        try await insertBallots([NewBallot(roundID: try round.requireID(), raterGroupID: sheet.raterGroupID, medium: .paper,
                                           isVoid: unreadable, marks: stored)], on: db)
    }

    /// The keyed marks of a sheet checked against what it holds: the whole layout, or one form's page.
    static func checkedMarks(_ keyed: String, unreadable: Bool, place: (PaperFormPages, Int)?, round: BallotRound) throws -> String {
        guard let (form, page) = place else { return try round.layout.paperMarks(keyed, unreadable: unreadable) }
        let cells = form.pages[page].flatMap { reportee in form.form.columns.map { CellKey(reportee: reportee, form: form.form.id, column: $0.id) } }
        return try BallotLayout(cells: cells).paperMarks(keyed, unreadable: unreadable)
    }

    /// The form and page a one-form sheet holds; nil for a whole set (rounds opened before sheets were split by form).
    static func formPage(of sheet: PaperSheet, round: BallotRound, campaign: Campaign) throws -> (PaperFormPages, Int)? {
        guard let formIndex = sheet.formIndex, let page = sheet.page else { return nil }
        guard let form = PaperScanning.forms(round, campaign: campaign).first(where: { $0.formIndex == formIndex }),
              form.pages.indices.contains(page) else { throw APIError.conflict("这张纸质票的评议表与本轮不符") }
        return (form, page)
    }
}
