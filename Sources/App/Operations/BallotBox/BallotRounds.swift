import Fluent
import Foundation
import PingyiCore
import SQLKit

/// 票箱的轮次: seal and count, each one transaction that first claims the round's row in the state it expects, so
/// two clicks or two instances cannot both act, and a ballot or a keyed sheet in flight is either wholly before the
/// claim or refused after it.
enum BallotRounds {
    /// 开启投票: the next round, with the plan's codes (stored as hashes; returned in the clear, per group) and paper
    /// forms (a count per group). Only in 会议中, with no round open or sealed and none validly counted (a void round
    /// is repeated; a valid count is final): checked under the campaign's lock, so two opens cannot both pass.
    static func open(_ campaign: Campaign, plan: RoundIssuePlan, groups: [RaterGroup], by actor: Actor,
                     on db: any Database) async throws -> (BallotRound, [(group: String, codes: [String])]) {
        let campaignID = try campaign.requireID()
        let names = Dictionary(groups.compactMap { g in g.id.map { ($0.uuidString, g.name) } }, uniquingKeysWith: { a, _ in a })
        return try await db.writeTransaction { db in
            let phase = try await lockedPhase(of: campaignID, on: db)
            guard phase.allowsVoting else { throw APIError.lifecycle(.locked(phase, what: "票箱（会议中才能投票）")) }
            try await ballotBoxFacts(of: campaignID, on: db).checkNewRound()
            let previous = try await BallotRound.query(on: db).filter(\.$campaign.$id == campaignID).sort(\.$number, .descending).first()
            // The layout is read in the transaction: reportees cannot change in 会议中, and it freezes with the round.
            let reportees = try await Reportee.query(on: db).filter(\.$campaign.$id == campaignID).sort(\.$position).all()
            let layout = BallotLayout(spec: BallotSpec(reportees: reportees.compactMap { $0.id?.uuidString }, forms: campaign.forms))
            let round = BallotRound(campaignID: campaignID, number: (previous?.number ?? 0) + 1, layout: layout, openedAt: Date())
            try await round.save(on: db)
            let roundID = try round.requireID()
            try await BallotPartitions.create(round: roundID, on: db)
            var issued: [(group: String, codes: [String])] = []
            for (group, count) in plan.codes where count > 0 {
                guard let id = UUID(uuidString: group) else { continue }
                // Grouped by rater group so slips go to the right people; their order within a group means nothing.
                issued.append((names[group] ?? "", try await storeNewCodes(count, raterGroupID: id, roundID: roundID, on: db)))
            }
            // Paper: a count per rater group, nothing per sheet. Tellers number the sheets as they take them out of the box.
            round.sheetPlan = plan.sheets.filter { $0.count > 0 }.compactMap { group, count in
                UUID(uuidString: group).map { PaperFormsDTO(raterGroupID: $0, raterGroup: names[group] ?? "", count: count) }
            }
            round.issuedCodes = issued.reduce(0) { $0 + $1.codes.count }
            round.issuedSheets = round.sheetPlan.reduce(0) { $0 + $1.count }
            try await round.save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaignID, action: "round.open",
                                  summary: "开启第 \(round.number) 轮投票：发放投票码 \(round.issuedCodes) 个，纸质票 \(round.issuedSheets) 份")
            if let meeting = try await Meeting.query(on: db).filter(\.$campaign.$id == campaignID).first(),
               let evaluation = meeting.agenda.firstIndex(where: { $0.kind == .evaluation }) {
                meeting.currentItem = evaluation
                meeting.revision += 1
                try await meeting.save(on: db)
            }
            return (round, issued)
        }
    }

    /// 封箱: no more phone ballots; the round's rows are rewritten so nothing ties a ballot to its code or arrival.
    /// `gate`: the app's seals and counts take turns (`RoundClosingGate`).
    static func seal(_ round: BallotRound, by actor: Actor, gate: RoundClosingGate, on db: any Database) async throws {
        let roundID = try round.requireID()
        try await gate.run {
            try await db.writeTransaction { db in
                try await requireRoundWork(round, on: db)
                try await claim(roundID, from: .open, to: .sealed, on: db)
                try await BallotScrub.rewrite(roundID: roundID, on: db)
                try await recordAudit(on: db, actor: actor, campaignID: round.$campaign.id, action: "round.seal", summary: "第 \(round.number) 轮封箱")
            }
        }
        try await BallotScrub.flush(on: db)
    }

    /// 计票: reconciles each medium against its own issue (codes ↔ phone ballots, sheets ↔ paper). More returned than
    /// issued voids the round, which is kept. The tellers' keyed entries are erased: the ballots remain.
    static func count(_ round: BallotRound, by actor: Actor, gate: RoundClosingGate, on db: any Database) async throws -> RoundReconciliation {
        let roundID = try round.requireID()
        let (reconciliation, erasedPaper) = try await gate.run { try await db.writeTransaction { db -> (RoundReconciliation, Bool) in
            try await requireRoundWork(round, on: db)
            try await claim(roundID, from: .sealed, to: .counted, on: db)
            let unresolved = try await PaperSheet.query(on: db).filter(\.$roundID == roundID)
                .filter(\.$state ~~ [.issued, .keyedOnce, .mismatch]).count()
            guard unresolved == 0 else { throw APIError.conflict("还有 \(unresolved) 份已编号的纸质票未完成两次录入或核对") }
            // Issued and extra counts as they are now, under the claim: the request's copy may predate a 补发 or an
            // extra-sheets entry that committed meanwhile.
            guard let current = try await BallotRound.find(roundID, on: db),
                  let campaign = try await Campaign.find(round.$campaign.id, on: db) else { throw APIError.notFound("投票轮次") }
            let forms = PaperScanning.forms(current, campaign: campaign)
            // The round's pages, read once under the claim, for the checks, the ballots and the sample's outcome.
            let scans = try await PaperScan.listing(roundID: roundID, on: db).all()
            try await PaperScanning.requireCountable(current, scans: scans, forms: forms, on: db)
            try await PaperScanning.castBallots(current, campaign: campaign, scans: scans, on: db)
            var reconciliation = try await reconcile(current, forms: forms, on: db)
            reconciliation.scanSample = try await PaperScanning.sampleOutcome(scans, on: db)
            let sql = db as! any SQLDatabase
            // The tally and each secretary's figures are kept with the count, in its transaction: what every result
            // page and the overview read.
            let tally = try await CountedTally.fresh(current, on: db)
            let standings = try await CountedStandings.make(campaign, round: current, tally: tally.tally(layout: current.layout), on: db)
            try await sql.update(BallotRound.schema)
                .set("state", to: reconciliation.isVoid ? BallotRoundState.void.rawValue : BallotRoundState.counted.rawValue)
                .set("counted_at", to: Date())
                .set("reconciliation", to: try jsonText(reconciliation))
                .set("tally", to: try jsonText(tally))
                .where("id", .equal, roundID).run()
            if !reconciliation.isVoid { try await CountedStandings.keep(standings, of: roundID, on: db) }
            let sheetIDs = try await PaperSheet.query(on: db).filter(\.$roundID == roundID).all().compactMap(\.id)
            if !sheetIDs.isEmpty { try await sql.delete(from: PaperEntry.schema).where("sheet_id", .in, sheetIDs).run() }
            // Paper ballots entered since the seal are scrubbed like the phone ones were at the seal. A round without
            // paper has had no row written since its seal's rewrite: rewriting it again was half the count's work
            // while twenty meetings closed (issue 25).
            if !sheetIDs.isEmpty || !scans.isEmpty { try await BallotScrub.rewrite(roundID: roundID, on: db) }
            try await recordAudit(on: db, actor: actor, campaignID: round.$campaign.id, action: "round.count",
                                  summary: "第 \(round.number) 轮计票：\(reconciliation.summary)", after: reconciliation)
            return (reconciliation, !sheetIDs.isEmpty || !scans.isEmpty)
        } }
        // A round without paper erased nothing outside its own partitions: no other table is rewritten for it.
        try await BallotScrub.flush(erasedPaper ? BallotScrub.countedTables : BallotScrub.ballotTables, on: db)
        return reconciliation
    }

    /// Issued against returned, per medium, from the stored ballots; paper also per form kind. A one-form sheet is
    /// one page of a set: on the round's totals, paper counts in sets (the most sets any form came back from), so a
    /// voter's three sheets are one returned ballot, as their one code would be.
    static func reconcile(_ round: BallotRound, forms: [PaperFormPages], on db: any Database) async throws -> RoundReconciliation {
        struct Row: Decodable { var medium: String; var is_void: Bool; var n: Int }
        struct PaperRow: Decodable { var is_void: Bool; var marks: String }
        let roundID = try round.requireID()
        let sql = db as! any SQLDatabase
        let rows = try await sql.raw("""
            SELECT "medium", "is_void", COUNT(*) AS "n" FROM "ballots" WHERE "round_id" = \(bind: roundID)
            AND "medium" = \(bind: BallotMedium.electronic.rawValue) GROUP BY "medium", "is_void"
            """).all(decoding: Row.self)
        let electronic = rows.reduce(0) { $0 + $1.n }
        let electronicVoid = rows.filter(\.is_void).reduce(0) { $0 + $1.n }
        let paper = try await sql.raw("""
            SELECT "is_void", "marks" FROM "ballots" WHERE "round_id" = \(bind: roundID) AND "medium" = \(bind: BallotMedium.paper.rawValue)
            """).all(decoding: PaperRow.self)
        let formOfCell = round.layout.cells.map(\.form)
        var wholeSets = 0, wholeVoid = 0
        var pagesByForm: [String: Int] = [:], voidPagesByForm: [String: Int] = [:]
        for ballot in paper {
            guard let first = ballot.marks.utf8.firstIndex(where: { $0 != BallotLayout.notOnSheet }), ballot.marks.utf8.contains(BallotLayout.notOnSheet) else {
                wholeSets += 1
                if ballot.is_void { wholeVoid += 1 }
                continue
            }
            let form = formOfCell[ballot.marks.utf8.distance(from: ballot.marks.utf8.startIndex, to: first)]
            pagesByForm[form, default: 0] += 1
            // A one-form sheet keyed 整张无法辨认 is a void ballot in its own form's cells.
            if ballot.is_void { voidPagesByForm[form, default: 0] += 1 }
        }
        let sets = round.issuedSheets
        // Per form: its sheets that came back (a whole set's pages in every form); extra sheets are of no form of ours.
        let formSheets = forms.map { form -> FormSheets in
            let pages = form.pages.count
            let returned: Int = wholeSets * pages + pagesByForm[form.form.id, default: 0]
            let void: Int = wholeVoid * pages + voidPagesByForm[form.form.id, default: 0]
            return FormSheets(formID: form.form.id, formName: form.form.name, issued: sets * pages, returned: returned, void: void)
        }
        func inSets(_ pages: [String: Int], _ form: PaperFormPages) -> Int {
            (pages[form.form.id, default: 0] + form.pages.count - 1) / max(form.pages.count, 1)
        }
        let setsFromPages = forms.map { inSets(pagesByForm, $0) }.max() ?? 0
        let paperReturned = wholeSets + setsFromPages + round.extraSheets
        // Void: phone ballots and whole sets stored void, each one-form sheet keyed unreadable (its form's ballot; never
        // more than the sets that came back as pages), and extra sheets (found in the box, never issued).
        let voidFromPages = min(setsFromPages, forms.reduce(0) { $0 + inSets(voidPagesByForm, $1) })
        let void = electronicVoid + wholeVoid + voidFromPages + round.extraSheets
        var result = RoundReconciliation(codes: IssuedReturned(issued: round.issuedCodes, returned: electronic),
                                         sheets: IssuedReturned(issued: sets, returned: paperReturned),
                                         valid: electronic + paperReturned - void, void: void)
        if sets > 0 || !paper.isEmpty { result.forms = formSheets }
        return result
    }

    /// Moves the round from `from` to `to` if it is still in `from`; otherwise a 409 that says what it is now.
    static func claim(_ roundID: UUID, from: BallotRoundState, to: BallotRoundState, on db: any Database) async throws {
        let column = to == .sealed ? "sealed_at" : "counted_at"
        guard try await !claimRow("""
            UPDATE "ballot_rounds" SET "state" = \(bind: to.rawValue), \(ident: column) = \(bind: Date())
            WHERE "id" = \(bind: roundID) AND "state" = \(bind: from.rawValue)
            """, on: db) else { return }
        let now = try await BallotRound.find(roundID, on: db)
        throw APIError.conflict("该轮次当前为“\(now?.state.label ?? "不存在")”，不能\(to == .sealed ? "封箱" : "计票")")
    }

    /// Rounds are worked on only in 会议中 and 计票; read under the campaign's lock.
    static func requireRoundWork(_ round: BallotRound, on db: any Database) async throws {
        let phase = try await lockedPhase(of: round.$campaign.id, on: db)
        guard phase.allowsRoundWork else { throw APIError.lifecycle(.locked(phase, what: "投票轮次")) }
    }

    /// The round's state, read while holding it against a concurrent seal or count (PostgreSQL `FOR SHARE`; on SQLite
    /// writers take turns): what is written under this read lands before the claim or not at all.
    /// `forUpdate` for a writer that must also go one at a time with others like it.
    static func lockedState(of roundID: UUID, on db: any Database, forUpdate: Bool = false) async throws -> BallotRoundState {
        struct Row: Decodable { var state: BallotRoundState }
        let sql = db as! any SQLDatabase
        let lock = sql.dialect.name == "sqlite" ? "" : forUpdate ? " FOR UPDATE" : " FOR SHARE"
        guard let row = try await sql.raw("SELECT \(ident: "state") FROM \(ident: BallotRound.schema) WHERE \(ident: "id") = \(bind: roundID)\(unsafeRaw: lock)")
            .first(decoding: Row.self) else { throw APIError.notFound("投票轮次") }
        return row.state
    }
}

/// 纸质票 or 手机: how a ballot reached the box.
enum BallotMedium: String, Sendable {
    case electronic, paper
}
