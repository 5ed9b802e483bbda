import Crypto
import Fluent
import PingyiCore
import SQLKit
import Vapor

/// 票箱: the chair opens a round (codes for the checked-in attendees, paper sheets if wanted), seals it, and has it
/// counted against what was issued. Paper keying is in `BallotController+Paper`.
struct BallotController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes.apiV1()
        let rounds = api.grouped("campaigns", ":campaignID", "rounds")
        rounds.get(use: list).requiring(.staff)
        rounds.post(use: open).requiring(.chair)
        rounds.post(":roundID", "codes", use: extraCodes).requiring(.chair)
        rounds.post(":roundID", "seal", use: seal).requiring(.chair)
        rounds.post(":roundID", "count", use: count).requiring(.chair)
        api.get("rounds", ":roundID", "receipts", use: receipts).requiring(.anyone)
        bootPaper(rounds)
        bootScans(rounds)
    }

    @Sendable
    func list(req: Request) async throws -> [RoundDTO] {
        let (_, campaign) = try await req.campaign()
        let rounds = try await BallotRound.query(on: req.db).filter(\.$campaign.$id == campaign.requireID()).sort(\.$number).all()
        var result: [RoundDTO] = []
        for round in rounds { result.append(try await roundDTO(round, on: req.db)) }
        return result
    }

    /// Opens the next round. Codes exist in the clear only in this answer: the console prints them as slips.
    @Sendable
    func open(req: Request) async throws -> Response {
        let (actor, campaign) = try await req.campaign(allowing: { $0 == .meeting }, "票箱（会议中才能投票）")
        let body = try req.content.decode(RoundOpenRequest.self)
        let campaignID = try campaign.requireID()
        let groups = try await RaterGroup.query(on: req.db).filter(\.$campaign.$id == campaignID).sort(\.$position).all()
        let attendance = try await attendanceOf(campaign, on: req.db)
        let present = Dictionary(zip(groups.compactMap { $0.id?.uuidString }, attendance.groups.map(\.present)), uniquingKeysWith: { a, _ in a })
        let plan = try RoundIssuePlan(groups: groups.compactMap { $0.id?.uuidString }, present: present, codes: body.codes,
                                      sheets: body.paperSheets, minimum: campaign.rules.effectiveMinimumGroupSize)
        let base = publicBaseURL(req)
        let (round, issuedCodes) = try await BallotRounds.open(campaign, plan: plan, groups: groups, by: actor, on: req.db)
        var codes: [IssuedCodeDTO] = []
        for issued in issuedCodes { codes += await codeSlips(issued.codes.shuffled(), raterGroup: issued.group, base: base) }
        await LiveScreens.refresh(try campaign.requireID(), app: req.application)
        return try created(RoundOpenedDTO(round: try await roundDTO(round, on: req.db), codes: codes, paperForms: round.sheetPlan))
    }

    /// 补发: more codes for a group while the round is open (a late arrival, a lost slip); they count as issued.
    @Sendable
    func extraCodes(req: Request) async throws -> RoundOpenedDTO {
        let (actor, campaign, round) = try await req.round()
        let body = try req.content.decode(ExtraCodesRequest.self)
        let (codes, group) = try await BallotRounds.issueExtraCodes(body.count, forGroup: body.raterGroupID, in: round, campaign: campaign,
                                                                    by: actor, on: req.db)
        await LiveScreens.refresh(try campaign.requireID(), app: req.application)
        return RoundOpenedDTO(round: try await roundDTO(try await reloaded(round, on: req.db), on: req.db),
                              codes: await codeSlips(codes, raterGroup: group.name, base: publicBaseURL(req)), paperForms: [])
    }

    /// 封箱: no more phone ballots; paper sheets can now be keyed.
    @Sendable
    func seal(req: Request) async throws -> RoundDTO {
        let (actor, campaign, round) = try await req.round()
        try await BallotRounds.seal(round, by: actor, on: req.db)
        await LiveScreens.refresh(try campaign.requireID(), app: req.application)
        return try await roundDTO(try await reloaded(round, on: req.db), on: req.db)
    }

    /// 计票: reconciles issued against returned. More returned than issued voids the round (kept, never overwritten).
    @Sendable
    func count(req: Request) async throws -> RoundDTO {
        let (actor, campaign, round) = try await req.round()
        _ = try await BallotRounds.count(round, by: actor, on: req.db)
        await LiveScreens.refresh(try campaign.requireID(), app: req.application)
        return try await roundDTO(try await reloaded(round, on: req.db), on: req.db)
    }

    /// The receipts counted in a round, in their own order: anyone can check theirs is there; nothing shows content.
    @Sendable
    func receipts(req: Request) async throws -> ReceiptListDTO {
        guard let raw = req.parameters.get("roundID"), let id = UUID(uuidString: raw), let round = try await BallotRound.find(id, on: req.db),
              round.state != .open, let campaign = try await Campaign.find(round.$campaign.id, on: req.db) else {
            throw APIError(.notFound, "not_found", "该轮次不存在或尚未封箱")
        }
        let receipts = try await BallotReceipt.query(on: req.db).filter(\.$roundID == id).sort(\.$id).all().compactMap(\.id)
        return ReceiptListDTO(campaignTitle: campaign.title, roundNumber: round.number, state: round.state.label,
                              receipts: receipts.map { VotingCode.grouped($0) })
    }
}

/// Where phones reach this server (slips, the projector): PINGYI_PUBLIC_URL, else the LAN address found when `serve`
/// listens on every interface, else the address the chair's browser used (`PublicAddress.baseURL`).
func publicBaseURL(_ req: Request) -> String {
    PublicAddress.baseURL(configured: Environment.get("PINGYI_PUBLIC_URL"), detected: req.application.detectedPublicURL,
                          scheme: CookieSession.isSecure(req) ? "https" : "http", requestHost: req.headers.first(name: .host))
}

extension Application {
    private struct DetectedPublicURLKey: StorageKey { typealias Value = String }

    /// The address `serve` found for phones (a LAN IPv4 when listening on every interface), set at start.
    var detectedPublicURL: String? {
        get { storage[DetectedPublicURLKey.self] }
        set { storage[DetectedPublicURLKey.self] = newValue }
    }
}

func reloaded(_ round: BallotRound, on db: any Database) async throws -> BallotRound {
    guard let fresh = try await BallotRound.find(try round.requireID(), on: db) else { throw APIError.notFound("投票轮次") }
    return fresh
}

func roundDTO(_ round: BallotRound, on db: any Database) async throws -> RoundDTO {
    let id = try round.requireID()
    let electronic = try await Ballot.query(on: db).filter(\.$roundID == id).filter(\.$medium == "electronic").count()
    let sheets = try await PaperSheet.query(on: db).filter(\.$roundID == id).all()
    let confirmed = sheets.filter { $0.state == .confirmed }.count
    let reconciliation = try round.countedReconciliation()
    return RoundDTO(
        id: id, number: round.number, state: round.state.rawValue, stateLabel: round.state.label,
        issuedCodes: round.issuedCodes, issuedSheets: round.issuedSheets, extraSheets: round.extraSheets,
        receivedElectronic: electronic, keyedSheets: confirmed,
        pendingSheets: sheets.filter { $0.state == .keyedOnce }.count, mismatchedSheets: sheets.filter { $0.state == .mismatch }.count,
        received: try returnedCount(round, phoneBallots: electronic), issued: round.issued, reconciliation: reconciliation.map(ReconciliationDTO.init),
        openedAt: round.openedAt, sealedAt: round.sealedAt, countedAt: round.countedAt)
}

/// 收回 (returned), the one figure the console, the projector and the results show: the phone ballots received, and
/// from the count on the round's reconciliation (phone ballots + paper sets returned, extra sheets included). Paper
/// comes back only at the count (清点, keying, scanning, reconciled in sets): before it, paper is shown apart as
/// 发放 N 份 and never added to 收回.
func returnedCount(_ round: BallotRound, phoneBallots: Int) throws -> Int {
    try round.countedReconciliation()?.returned ?? phoneBallots
}

/// The latest round, as the projector shows it.
func liveRound(campaignID: UUID, on db: any Database) async throws -> LiveRoundDTO? {
    guard let round = try await BallotRound.query(on: db).filter(\.$campaign.$id == campaignID).sort(\.$number, .descending).first() else {
        return nil
    }
    let dto = try await roundDTO(round, on: db)
    return LiveRoundDTO(number: round.number, state: round.state.rawValue, stateLabel: round.state.label, issued: dto.issued, received: dto.received,
                        issuedCodes: round.issuedCodes, receivedPhone: dto.receivedElectronic, issuedSheets: round.issuedSheets,
                        groups: try await groupProgress(round, on: db))
}

/// Per rater group: codes issued and phone ballots received (what can come back while voting), and paper sets
/// issued, apart. Counts only.
func groupProgress(_ round: BallotRound, on db: any Database) async throws -> [LiveGroupProgressDTO] {
    let roundID = try round.requireID()
    struct Row: Decodable { var rater_group_id: UUID; var n: Int }
    let sql = db as! any SQLDatabase
    func counts(_ query: SQLQueryString) async throws -> [UUID: Int] {
        Dictionary(try await sql.raw(query).all(decoding: Row.self).map { ($0.rater_group_id, $0.n) }, uniquingKeysWith: +)
    }
    let codes = try await counts("""
        SELECT "rater_group_id", COUNT(*) AS "n" FROM "ballot_codes" WHERE "round_id" = \(bind: roundID) GROUP BY "rater_group_id"
        """)
    let phones = try await counts("""
        SELECT "rater_group_id", COUNT(*) AS "n" FROM "ballots" WHERE "round_id" = \(bind: roundID) AND "medium" = 'electronic' GROUP BY "rater_group_id"
        """)
    let plan = Dictionary(round.sheetPlan.map { ($0.raterGroupID, $0.count) }, uniquingKeysWith: +)
    let groups = try await RaterGroup.query(on: db).filter(\.$campaign.$id == round.$campaign.id).sort(\.$position).all()
    return groups.compactMap { group in
        guard let id = group.id else { return nil }
        return LiveGroupProgressDTO(name: group.name, issued: codes[id] ?? 0, received: phones[id] ?? 0, paperIssued: plan[id] ?? 0)
    }
}
