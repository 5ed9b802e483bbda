import Crypto
import Fluent
import Foundation
import PingyiCore
import SQLKit

/// 扫描识别: a scanned page is read by the machine (PingyiCore `PaperReader`); people decide only what it is unsure
/// of — two tellers each, a scrutineer where they differ — and the scrutineer re-checks a random sample against the
/// paper. Nothing is counted on a guess: a page's ballot enters the box at the count, from its confirmed reading.
enum PaperScanning {
    /// The largest page the browser sends (its longer side is normalized to 1,400 pixels).
    static let maxPixels = 2400 * 2400

    /// The pixels of a `width` × `height` page as the request states it, or nil when it is not a page the browser sends
    /// (under 400 pixels on a side, over `maxPixels`). Overflow-safe: the two numbers come from the request.
    static func pixelCount(width: Int, height: Int) -> Int? {
        guard width >= 400, height >= 400 else { return nil }
        let (size, overflow) = width.multipliedReportingOverflow(by: height)
        return !overflow && size <= maxPixels ? size : nil
    }

    /// One uploaded page: what the machine read, or why it is not stored.
    struct Outcome {
        var scan: PaperScan
        /// The same bytes were uploaded before: nothing new was stored.
        var repeated: Bool
    }

    /// The round's forms as printed: layout order, pages of `rowsPerPage`.
    static func forms(_ round: BallotRound, campaign: Campaign) -> [PaperFormPages] {
        PaperFormPages.plan(layout: round.layout, forms: campaign.forms)
    }

    /// The printed page code of a (group, form, page) of this round.
    static func code(campaign: Campaign, round: BallotRound, group: Int, form: Int, page: Int) throws -> PaperPageCode {
        PaperPageCode(campaignTag: PaperPageCode.campaignTag(try campaign.requireID().uuidString), round: round.number,
                      group: group, form: form, page: page)
    }

    /// Reads the page and stores it. The same bytes twice are stored once; a page that reads like an earlier scan of
    /// the same form and group (same marks, nearly the same ink in every box), or reads the same with too few marks to
    /// tell the two apart (a blank sheet among them), is held as a possible second scan for a person to keep or drop.
    /// `named`: the rater group (index in the round's paper plan), form and page a teller read off a page whose code
    /// cannot be read; the page is then read as that one if its readable code squares agree (`PaperNamedPage`).
    static func upload(deflated: Data, width: Int, height: Int, named: (group: Int, form: Int, page: Int)? = nil, round: BallotRound,
                       campaign: Campaign, by actor: Actor, on db: any Database) async throws -> Outcome {
        guard let size = pixelCount(width: width, height: height),
              let pixels = UploadedZip.inflate(ArraySlice(deflated), expected: size), pixels.count == size,
              let image = GrayImage(width: width, height: height, pixels: pixels) else {
            throw APIError(.unprocessableEntity, "invalid_image", "图像数据无效：请用评议系统的扫描页面上传（灰度、已压缩）")
        }
        let sha = sha256Hex(deflated)
        let roundID = try round.requireID()
        if let earlier = try await PaperScan.listing(roundID: roundID, on: db).filter(\.$sha256 == sha).first() {
            return Outcome(scan: earlier, repeated: true)
        }
        let plan = forms(round, campaign: campaign)
        let located = try locate(image, named: named, round: round, campaign: campaign, plan: plan)
        if let problem = located.code.problem(campaignTag: PaperPageCode.campaignTag(try campaign.requireID().uuidString),
                                              round: round.number, groups: round.sheetPlan.count, forms: plan) {
            throw problem
        }
        guard let formPages = plan.first(where: { $0.formIndex == located.code.form }),
              let geometry = formPages.geometry(page: located.code.page) else { throw PaperPageProblem.unknownFormPage }
        let reading = PaperReader.read(image, located, geometry: geometry)
        let groupID = round.sheetPlan[located.code.group].raterGroupID
        let scores = encodeScores(reading)
        let stored = StoredPageImage.compact(image)
        return try await db.writeTransaction { db in
            try await PaperKeying.requireKeying(round, on: db)
            let same = try await PaperScan.listing(roundID: roundID, on: db).filter(\.$raterGroupID == groupID)
                .filter(\.$formIndex == located.code.form).filter(\.$page == located.code.page)
                .filter(\.$state != .discarded).all()
            let symbols = String(decoding: reading.symbols, as: UTF8.self)
            let twin = same.first { other in
                guard let (theirScores, theirCentres) = decodeScores(other.scores) else { return false }
                let theirSymbols = Array(other.reading.utf8)
                return reading.looksLikeSecondScan(symbols: theirSymbols, inkCentres: theirCentres, scores: theirScores)
                    || PaperSecondScan.indistinguishable(symbols: reading.symbols, scores: reading.scores,
                                                         otherSymbols: theirSymbols, otherScores: theirScores)
            }
            let scan = PaperScan()
            scan.roundID = roundID
            scan.sha256 = sha
            scan.raterGroupID = groupID
            scan.formIndex = located.code.form
            scan.page = located.code.page
            scan.state = twin != nil ? .possibleDuplicate : reading.isSure ? .read : .unsure
            scan.reading = symbols
            scan.scores = scores
            scan.width = width
            scan.height = height
            scan.image = stored
            scan.duplicateOf = twin?.id
            scan.sampled = false
            do {
                try await scan.create(on: db)
            } catch let error as any DatabaseError where error.isConstraintFailure {
                // The same page uploaded twice at once: the other request stored it.
                throw APIError.conflict("这一页刚刚已上传")
            }
            try await recordAudit(on: db, actor: actor, campaignID: round.$campaign.id, action: "paper.scan",
                                  summary: "第 \(round.number) 轮扫描纸质票一页（\(formPages.form.name)，\(scan.state.label)"
                                      + (named != nil ? "；页码无法识别，评议人类别和评议表由计票人指定" : "") + "）")
            return Outcome(scan: scan, repeated: false)
        }
    }

    /// Finds the page and its code; a page whose code cannot be read is located as the page a teller named, if named.
    /// A page whose code reads is never renamed.
    static func locate(_ image: GrayImage, named: (group: Int, form: Int, page: Int)?, round: BallotRound, campaign: Campaign,
                       plan: [PaperFormPages]) throws -> LocatedPage {
        guard let named else { return try PaperReader.locate(image) }
        guard round.sheetPlan.indices.contains(named.group) else {
            throw APIError(.unprocessableEntity, "invalid", "指定的评议人类别本轮没有发放纸质票")
        }
        guard plan.first(where: { $0.formIndex == named.form })?.pages.indices.contains(named.page) == true else {
            throw APIError(.unprocessableEntity, "invalid", "指定的评议表或页本轮没有")
        }
        let code = try code(campaign: campaign, round: round, group: named.group, form: named.form, page: named.page)
        do {
            let read = try PaperReader.locate(image)
            throw APIError(.unprocessableEntity, "code_readable", read.code == code
                ? "这一页的页码可以识别，无需指定：请直接上传"
                : "这一页的页码可以识别，与指定的不同：请不指定评议表直接上传")
        } catch PaperReadFailure.unreadableCode {
            return try PaperNamedPage.locate(image, as: code)
        }
    }

    /// Each box as "ink/dx/dy" (ink ×1000, the ink's centre in hundredths of a millimetre), comma-separated.
    static func encodeScores(_ reading: PaperPageReading) -> String {
        zip(reading.scores, reading.inkCentres).map { score, c in
            "\(Int((score * 1000).rounded()))/\(Int((c.dx * 100).rounded()))/\(Int((c.dy * 100).rounded()))"
        }.joined(separator: ",")
    }

    static func decodeScores(_ text: String) -> ([Double], [PageOffset])? {
        var scores: [Double] = [], centres: [PageOffset] = []
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "/").compactMap { Double($0) }
            guard parts.count == 3 else { return nil }
            scores.append(parts[0] / 1000)
            centres.append(PageOffset(dx: parts[1] / 100, dy: parts[2] / 100))
        }
        return scores.isEmpty ? nil : (scores, centres)
    }

    /// A person's reading of the page: every column decided; the machine's sure columns may not change.
    static func checkedMarks(_ marks: String, against scan: PaperScan, allowChanges: Bool) throws -> String {
        let given = Array(marks.uppercased().utf8), machine = Array(scan.reading.utf8)
        guard given.count == machine.count else {
            throw APIError(.unprocessableEntity, "invalid", "应给出 \(machine.count) 个栏目的结果，实际 \(given.count) 个")
        }
        guard given.allSatisfy(PaperMarkRules.isDecision) else {
            throw APIError(.unprocessableEntity, "invalid", "每个栏目只能是 0（空白）、1（好）、2（较好）、3（一般）、4（差）、X（多选）")
        }
        if !allowChanges, zip(given, machine).contains(where: { $1 != PaperMarkRules.unsure && $0 != $1 }) {
            throw APIError(.unprocessableEntity, "invalid", "只能确认机器没有把握的栏目；其他栏目如有误，请交监票人抽查更正")
        }
        return String(decoding: given, as: UTF8.self)
    }

    /// 人工确认: a teller decides the unsure columns. The first decision waits for a second teller's; the same
    /// decision confirms the page, a different one goes to a scrutineer.
    static func decide(_ scan: PaperScan, marks: String, round: BallotRound, by actor: Actor, on db: any Database) async throws -> PaperScan.State {
        let decided = try checkedMarks(marks, against: scan, allowChanges: false)
        let scanID = try scan.requireID()
        return try await db.writeTransaction { db in
            try await PaperKeying.requireKeying(round, on: db)
            let checks = try await PaperScanCheck.query(on: db).filter(\.$scan.$id == scanID).filter(\.$kind == .decision).all()
            guard !checks.contains(where: { $0.personID == actor.id }) else {
                throw APIError.conflict("您已确认过这一页，第二次确认须由另一位计票人完成")
            }
            let state: PaperScan.State
            if let first = checks.first {
                state = first.marks == decided ? .confirmed : .mismatch
                try await claim(scanID, from: .decidedOnce, to: state, reading: state == .confirmed ? decided : nil, on: db)
            } else {
                state = .decidedOnce
                try await claim(scanID, from: .unsure, to: state, on: db)
            }
            try await addCheck(scanID, person: actor.id, kind: .decision, marks: decided, on: db)
            try await recordAudit(on: db, actor: actor, campaignID: round.$campaign.id, action: "paper.scan.decision",
                                  summary: "第 \(round.number) 轮确认扫描页的存疑栏目（\(state.label)）")
            return state
        }
    }

    /// 监票人裁定: where the two tellers differ, or whether a possible second scan is kept.
    static func rule(_ scan: PaperScan, marks: String?, keep: Bool?, round: BallotRound, by actor: Actor, on db: any Database) async throws -> PaperScan.State {
        let scanID = try scan.requireID()
        return try await db.writeTransaction { db in
            try await PaperKeying.requireKeying(round, on: db)
            let state: PaperScan.State
            switch scan.state {
            case .mismatch:
                guard let marks else { throw APIError(.unprocessableEntity, "invalid", "请给出裁定结果") }
                let decided = try checkedMarks(marks, against: scan, allowChanges: false)
                state = .confirmed
                try await claim(scanID, from: .mismatch, to: state, reading: decided, on: db)
                try await addCheck(scanID, person: actor.id, kind: .ruling, marks: decided, on: db)
            case .possibleDuplicate:
                guard let keep else { throw APIError(.unprocessableEntity, "invalid", "请说明保留还是剔除这一页") }
                state = !keep ? .discarded : scan.reading.utf8.contains(PaperMarkRules.unsure) ? .unsure : .read
                try await claim(scanID, from: .possibleDuplicate, to: state, on: db)
            default:
                throw APIError.conflict("这一页现在是“\(scan.state.label)”，没有需要裁定的事项")
            }
            try await recordAudit(on: db, actor: actor, campaignID: round.$campaign.id, action: "paper.scan.ruling",
                                  summary: "监票人裁定第 \(round.number) 轮扫描页（\(state.label)）")
            return state
        }
    }

    /// 剔除: a teller or the scrutineer drops a page before the count (a sheet scanned twice, a page that is not a
    /// ballot of this box); it is kept, as dropped, with its image. Any state but dropped; a 409 after the count.
    static func discard(_ scan: PaperScan, formName: String, round: BallotRound, by actor: Actor, on db: any Database) async throws {
        let scanID = try scan.requireID()
        try await db.writeTransaction { db in
            try await PaperKeying.requireKeying(round, on: db)
            guard scan.state != .discarded else { throw APIError.conflict("这一页已经剔除") }
            try await claim(scanID, from: scan.state, to: .discarded, on: db)
            try await recordAudit(on: db, actor: actor, campaignID: round.$campaign.id, action: "paper.scan.discard",
                                  summary: "第 \(round.number) 轮剔除扫描页一页（\(formName)，原为“\(scan.state.label)”）")
        }
    }

    /// 抽查: the scrutineer draws a random sample of the read pages (5 %, at least 3) once per round.
    static func drawSample(round: BallotRound, by actor: Actor, on db: any Database) async throws -> [UUID] {
        let roundID = try round.requireID()
        return try await db.writeTransaction { db in
            try await PaperKeying.requireKeying(round, on: db)
            _ = try await BallotRounds.lockedState(of: roundID, on: db, forUpdate: true)
            let scans = try await PaperScan.listing(roundID: roundID, on: db).all()
            guard !scans.contains(where: \.sampled) else { throw APIError.conflict("本轮已经抽取过样本") }
            let open = scans.filter { !$0.state.isReady && $0.state != .discarded }
            guard open.isEmpty else { throw APIError.conflict("还有 \(open.count) 页扫描件未确认，确认完再抽查") }
            let ready = scans.filter(\.state.isReady)
            guard !ready.isEmpty else { throw APIError.conflict("还没有识别完成的扫描页") }
            let size = min(ready.count, max(3, (ready.count * 5 + 99) / 100))
            var generator = SystemRandomNumberGenerator()
            let sample = ready.shuffled(using: &generator).prefix(size).compactMap(\.id)
            try await (db as! any SQLDatabase).update(PaperScan.schema).set("sampled", to: true).where("id", .in, sample).run()
            try await recordAudit(on: db, actor: actor, campaignID: round.$campaign.id, action: "paper.sample",
                                  summary: "第 \(round.number) 轮从 \(ready.count) 页扫描件中随机抽取 \(size) 页核对")
            return sample
        }
    }

    /// The scrutineer's check of a sampled page against the paper: its marks, and the rater group and form printed on
    /// it in words (the page code's squares can be redrawn to move a sheet into another group; the words cannot be
    /// read by the machine, so a person confirms them). Agreed, or corrected (the correction counts): marks as on the
    /// paper, the group as printed. A form other than the one read is no page of that form: it is dropped and rescanned.
    static func checkSample(_ scan: PaperScan, marks: String, printedGroup: UUID?, printedForm: Int?, round: BallotRound, by actor: Actor,
                            on db: any Database) async throws -> Bool {
        guard scan.sampled else { throw APIError.conflict("这一页不在抽查样本中") }
        guard let printedGroup, let printedForm else {
            throw APIError(.unprocessableEntity, "invalid", "请核对并给出纸面上印的评议人类别和评议表")
        }
        guard let group = round.sheetPlan.first(where: { $0.raterGroupID == printedGroup }) else {
            throw APIError(.unprocessableEntity, "invalid", "本轮没有向这一评议人类别发放纸质票")
        }
        guard printedForm == scan.formIndex else {
            throw APIError.conflict("纸面上印的评议表与识别的不同：请剔除这一页，并把这张表重新扫描")
        }
        let checked = try checkedMarks(marks, against: scan, allowChanges: true)
        let scanID = try scan.requireID()
        return try await db.writeTransaction { db in
            try await PaperKeying.requireKeying(round, on: db)
            let done = try await PaperScanCheck.query(on: db).filter(\.$scan.$id == scanID).filter(\.$kind ~~ [.sample, .sampleCorrected]).count()
            guard done == 0 else { throw APIError.conflict("这一页已经抽查过") }
            let sameMarks = checked == scan.reading, sameGroup = printedGroup == scan.raterGroupID
            if !sameMarks || !sameGroup {
                try await (db as! any SQLDatabase).update(PaperScan.schema).set("reading", to: checked).set("rater_group_id", to: printedGroup)
                    .where("id", .equal, scanID).run()
            }
            try await addCheck(scanID, person: actor.id, kind: sameMarks && sameGroup ? .sample : .sampleCorrected, marks: checked, on: db)
            let outcome = sameMarks && sameGroup ? "与纸质票一致（含评议人类别）"
                : [sameMarks ? nil : "栏目不一致，已按纸质票更正", sameGroup ? nil : "纸面印的评议人类别为“\(group.raterGroup)”，与页码方块不符，已按纸面更正"]
                    .compactMap { $0 }.joined(separator: "；")
            try await recordAudit(on: db, actor: actor, campaignID: round.$campaign.id, action: "paper.sample.check",
                                  summary: "第 \(round.number) 轮抽查一页扫描件：\(outcome)")
            return sameMarks && sameGroup
        }
    }

    /// 清点票数: how many sheets of each form came out of the box, entered before scanning.
    static func setBoxCounts(_ counts: [Int], round: BallotRound, formCount: Int, by actor: Actor, on db: any Database) async throws {
        guard counts.count == formCount, counts.allSatisfy({ (0...100_000).contains($0) }) else {
            throw APIError(.unprocessableEntity, "invalid", "请为每种评议表各填一个 0–100000 的张数")
        }
        let roundID = try round.requireID()
        try await db.writeTransaction { db in
            try await BallotRounds.requireRoundWork(round, on: db)
            let text = try jsonText(counts)
            guard try await claimRow("""
                UPDATE "ballot_rounds" SET "box_counts" = \(bind: text)
                WHERE "id" = \(bind: roundID) AND "state" = \(bind: BallotRoundState.sealed.rawValue)
                """, on: db) else { throw APIError.conflict("封箱后、计票前才能清点票数") }
            try await recordAudit(on: db, actor: actor, campaignID: round.$campaign.id, action: "paper.box-counts",
                                  summary: "第 \(round.number) 轮清点纸质票：\(counts.map(String.init).joined(separator: "、")) 张")
        }
    }

    /// The sheets of each form (layout order) that came out of the box as the tellers have them: pages read or
    /// confirmed, one-form sheets numbered for keying, and whole sets numbered for keying — a whole set holds every
    /// form, so it counts once in every form's count (each of its pages), as the reconciliation counts it returned.
    static func sheetsInHand(forms: [PaperFormPages], scans: [PaperScan], numbered: [PaperSheet]) -> [Int] {
        let live = numbered.filter { $0.state != .withdrawn }
        let wholeSets = live.filter { $0.formIndex == nil }.count
        return forms.map { form in
            scans.filter { $0.formIndex == form.formIndex && $0.state.isReady }.count
                + live.filter { $0.formIndex == form.formIndex }.count + wholeSets * form.pages.count
        }
    }

    /// What must hold before a round with scanned pages can be counted, read inside the count's transaction
    /// (`scans` as read there, by `PaperScan.listing`).
    static func requireCountable(_ round: BallotRound, scans: [PaperScan], forms: [PaperFormPages], on db: any Database) async throws {
        let roundID = try round.requireID()
        let numbered = try await PaperSheet.query(on: db).filter(\.$roundID == roundID).filter(\.$state != .withdrawn).all()
        // A round keyed only as whole sets (the old way) is reconciled without box counts; once one-form sheets,
        // scans or box counts are in it, every sheet is held against the box counts, whole sets included.
        guard !scans.isEmpty || numbered.contains(where: { $0.formIndex != nil }) || round.boxCounts != nil else { return }
        let open = scans.filter { !$0.state.isReady && $0.state != .discarded }
        guard open.isEmpty else { throw APIError.conflict("还有 \(open.count) 页扫描件待确认或裁定") }
        guard let counts = round.boxCounts, counts.count == forms.count else {
            throw APIError.conflict("请先登记清点票数：每种评议表从票箱取出的张数")
        }
        for (i, (form, have)) in zip(forms, sheetsInHand(forms: forms, scans: scans, numbered: numbered)).enumerated() where have != counts[i] {
            throw APIError.conflict("“\(form.form.name)”评议表清点 \(counts[i]) 张，已识别和编号录入 \(have) 张（整套录入的每份计入每种评议表），"
                + "两者不符：请补扫、剔除重复、撤销误编的号或重新清点")
        }
        let ready = scans.filter(\.state.isReady)
        if !ready.isEmpty {
            guard ready.contains(where: \.sampled) else { throw APIError.conflict("监票人尚未抽查扫描件") }
            let sampled = ready.filter(\.sampled).compactMap(\.id)
            let checked = try await PaperScanCheck.query(on: db).filter(\.$scan.$id ~~ sampled).filter(\.$kind ~~ [.sample, .sampleCorrected]).count()
            guard checked == sampled.count else { throw APIError.conflict("抽查样本还有 \(sampled.count - checked) 页未核对") }
        }
    }

    /// At the count: each ready page's ballot enters the box; the readings and scores are erased (the images stay
    /// until the campaign is archived).
    static func castBallots(_ round: BallotRound, campaign: Campaign, scans: [PaperScan], on db: any Database) async throws {
        let roundID = try round.requireID()
        let plan = forms(round, campaign: campaign)
        var ballots: [NewBallot] = []
        for scan in scans where scan.state.isReady {
            guard let form = plan.first(where: { $0.formIndex == scan.formIndex }),
                  let marks = form.ballotMarks(page: scan.page, symbols: Array(scan.reading.utf8), layout: round.layout),
                  !marks.utf8.contains(PaperMarkRules.unsure) else {
                throw APIError.conflict("一页扫描件的识别结果不完整，不能计票")
            }
            ballots.append(NewBallot(roundID: roundID, raterGroupID: scan.raterGroupID, medium: .paper, isVoid: false, marks: marks))
        }
        try await insertBallots(ballots, on: db)
        if !scans.isEmpty {
            try await (db as! any SQLDatabase).update(PaperScan.schema).set("reading", to: "").set("scores", to: "")
                .where("round_id", .equal, roundID).run()
            let ids = scans.compactMap(\.id)
            try await (db as! any SQLDatabase).update(PaperScanCheck.schema).set("marks", to: "").where("scan_id", .in, ids).run()
        }
    }

    /// The sample and its outcome, for the count report (kept in the round's reconciliation).
    static func sampleOutcome(_ scans: [PaperScan], on db: any Database) async throws -> ScanSample? {
        let ready = scans.filter(\.state.isReady)
        guard !ready.isEmpty else { return nil }
        let sampled = ready.filter(\.sampled).compactMap(\.id)
        let checks = sampled.isEmpty ? [] : try await PaperScanCheck.query(on: db).filter(\.$scan.$id ~~ sampled)
            .filter(\.$kind ~~ [.sample, .sampleCorrected]).all()
        return ScanSample(pages: ready.count, drawn: sampled.count, checked: checks.count,
                          corrected: checks.filter { $0.kind == .sampleCorrected }.count, discarded: scans.filter { $0.state == .discarded }.count)
    }

    /// Erases the page images of a campaign (at archiving, unless `PINGYI_KEEP_PAGE_IMAGES=1`).
    static func eraseImages(campaignID: UUID, on db: any Database) async throws {
        let rounds = try await BallotRound.query(on: db).filter(\.$campaign.$id == campaignID).all().compactMap(\.id)
        guard !rounds.isEmpty else { return }
        try await (db as! any SQLDatabase).update(PaperScan.schema).set("image", to: SQLLiteral.null).where("round_id", .in, rounds).run()
    }

    static func addCheck(_ scanID: UUID, person: UUID, kind: PaperScanCheck.Kind, marks: String, on db: any Database) async throws {
        try await (db as! any SQLDatabase).insert(into: PaperScanCheck.schema)
            .columns("id", "scan_id", "person_id", "kind", "marks")
            .values(SQLBind(UUID()), SQLBind(scanID), SQLBind(person), SQLBind(kind.rawValue), SQLBind(marks)).run()
    }

    /// Moves the page on only if it is still as read: a double click or a second teller at once gets a 409.
    static func claim(_ scanID: UUID, from: PaperScan.State, to: PaperScan.State, reading: String? = nil, on db: any Database) async throws {
        let set: SQLQueryString = reading.map { ", \"reading\" = \(bind: $0)" } ?? ""
        guard try await claimRow("""
            UPDATE "paper_scans" SET "state" = \(bind: to.rawValue)\(set) WHERE "id" = \(bind: scanID) AND "state" = \(bind: from.rawValue)
            """, on: db) else { throw APIError.conflict("这一页刚刚已由他人处理，请刷新后再看") }
    }
}
