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
        rounds.get(use: list)
        rounds.post(use: open)
        rounds.post(":roundID", "codes", use: extraCodes)
        rounds.post(":roundID", "seal", use: seal)
        rounds.post(":roundID", "count", use: count)
        api.get("rounds", ":roundID", "receipts", use: receipts)
        bootPaper(rounds)
    }

    @Sendable
    func list(req: Request) async throws -> [RoundDTO] {
        let actor = try await req.actor()
        let campaign = try await findCampaign(req.parameters.get("campaignID"), for: actor, .checkIn, on: req.db)
        let rounds = try await BallotRound.query(on: req.db).filter(\.$campaign.$id == campaign.requireID()).sort(\.$number).all()
        var result: [RoundDTO] = []
        for round in rounds { result.append(try await roundDTO(round, on: req.db)) }
        return result
    }

    /// Opens the next round. Codes exist in the clear only in this answer: the console prints them as slips.
    @Sendable
    func open(req: Request) async throws -> Response {
        let actor = try await req.actor()
        let campaign = try await findCampaign(req.parameters.get("campaignID"), for: actor, .chair, on: req.db)
        try campaign.require({ $0 == .meeting }, "票箱（会议中才能投票）")
        let body = try req.content.decode(RoundOpenRequest.self)
        let campaignID = try campaign.requireID()
        let groups = try await RaterGroup.query(on: req.db).filter(\.$campaign.$id == campaignID).sort(\.$position).all()
        let attendance = try await attendanceOf(campaign, on: req.db)
        var codeCounts: [(RaterGroup, Int)] = []
        var sheetCounts: [(RaterGroup, Int)] = []
        for (index, group) in groups.enumerated() {
            let key = group.id!.uuidString
            let codes = body.codes?[key] ?? (body.codes == nil ? attendance.groups[index].present : 0)
            let sheets = body.paperSheets?[key] ?? 0
            guard (0...2000).contains(codes), (0...2000).contains(sheets) else {
                throw APIError(.unprocessableEntity, "invalid", "每个类别的投票码或纸质票数量应在 0 到 2000 之间")
            }
            codeCounts.append((group, codes))
            sheetCounts.append((group, sheets))
        }
        let unknown = Set((body.codes ?? [:]).keys).union((body.paperSheets ?? [:]).keys).subtracting(groups.map { $0.id!.uuidString })
        guard unknown.isEmpty else { throw APIError.notFound("评议人类别") }
        let totalIssued = (codeCounts + sheetCounts).reduce(0) { $0 + $1.1 }
        guard totalIssued > 0 else { throw APIError(.unprocessableEntity, "invalid", "没有可发放的选票：请先为出席人员签到，或指定投票码、纸质票数量") }
        // A round of one or two voters would publish their ballots as the result (最少人数).
        let minimum = campaign.rules.effectiveMinimumGroupSize
        guard totalIssued >= minimum else {
            throw APIError(.unprocessableEntity, "too_few_voters", "本轮只发出 \(totalIssued) 张选票，少于最少人数 \(minimum)：人数太少无法保证匿名")
        }
        let reportees = try await Reportee.query(on: req.db).filter(\.$campaign.$id == campaignID).sort(\.$position).all()
        let layout = BallotLayout(spec: BallotSpec(reportees: reportees.map { $0.id!.uuidString }, forms: campaign.forms))
        let base = publicBaseURL(req)
        let (codePlan, sheetPlan) = (codeCounts, sheetCounts)
        let (round, issuedCodes) = try await req.db.writeTransaction { db -> (BallotRound, [(group: String, codes: [String])]) in
            let phase = try await lockedPhase(of: campaignID, on: db)
            guard phase == .meeting else { throw APIError.lifecycle(.locked(phase, what: "票箱（会议中才能投票）")) }
            let previous = try await BallotRound.query(on: db).filter(\.$campaign.$id == campaignID).sort(\.$number, .descending).first()
            if let previous, previous.state == .open || previous.state == .sealed {
                throw APIError.conflict("第 \(previous.number) 轮尚未计票，不能开始新一轮")
            }
            let round = BallotRound(campaignID: campaignID, number: (previous?.number ?? 0) + 1, layout: layout, openedAt: Date())
            try await round.save(on: db)
            let roundID = try round.requireID()
            var issued: [(group: String, codes: [String])] = []
            for (group, count) in codePlan where count > 0 {
                // Grouped by rater group so slips go to the right people; their order within a group means nothing.
                issued.append((group.name, try await storeNewCodes(count, raterGroupID: group.requireID(), roundID: roundID, on: db)))
            }
            // Paper: a count per rater group, nothing per sheet. Tellers number the sheets as they take them out of the box.
            round.sheetPlan = try sheetPlan.filter { $0.1 > 0 }.map { PaperFormsDTO(raterGroupID: try $0.0.requireID(), raterGroup: $0.0.name, count: $0.1) }
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
        let codes = issuedCodes.flatMap { codeSlips($0.codes.shuffled(), raterGroup: $0.group, base: base) }
        try await broadcast(req, campaign)
        return try created(RoundOpenedDTO(round: try await roundDTO(round, on: req.db), codes: codes, paperForms: round.sheetPlan))
    }

    /// 补发: more codes for a group while the round is open (a late arrival, a lost slip); they count as issued.
    @Sendable
    func extraCodes(req: Request) async throws -> RoundOpenedDTO {
        let (actor, campaign, round) = try await chairRound(req)
        guard round.state == .open else { throw APIError.conflict("只有投票中的轮次可以补发投票码") }
        let body = try req.content.decode(ExtraCodesRequest.self)
        guard (1...100).contains(body.count) else { throw APIError(.unprocessableEntity, "invalid", "补发数量应在 1 到 100 之间") }
        guard let group = try await RaterGroup.find(body.raterGroupID, on: req.db), group.$campaign.id == campaign.id else {
            throw APIError.notFound("评议人类别")
        }
        let base = publicBaseURL(req)
        let roundID = try round.requireID()
        let codes = try await req.db.writeTransaction { db -> [String] in
            // Counted as issued only while the round is still open, in the same claim.
            struct Row: Decodable { var id: UUID }
            guard try await (db as! any SQLDatabase).raw("""
                UPDATE "ballot_rounds" SET "issued_codes" = "issued_codes" + \(bind: body.count)
                WHERE "id" = \(bind: roundID) AND "state" = \(bind: BallotRoundState.open.rawValue) RETURNING "id"
                """).first(decoding: Row.self) != nil else { throw APIError.conflict("只有投票中的轮次可以补发投票码") }
            let codes = try await storeNewCodes(body.count, raterGroupID: group.requireID(), roundID: roundID, on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "round.extra_codes",
                                  summary: "第 \(round.number) 轮补发投票码 \(codes.count) 个（\(group.name)）")
            return codes
        }
        try await broadcast(req, campaign)
        return RoundOpenedDTO(round: try await roundDTO(try await reloaded(round, on: req.db), on: req.db),
                              codes: codeSlips(codes, raterGroup: group.name, base: base), paperForms: [])
    }

    /// 封箱: no more phone ballots; paper sheets can now be keyed.
    @Sendable
    func seal(req: Request) async throws -> RoundDTO {
        let (actor, campaign, round) = try await chairRound(req)
        try await RoundOperations.seal(round, by: actor, on: req.db)
        try await broadcast(req, campaign)
        return try await roundDTO(try await reloaded(round, on: req.db), on: req.db)
    }

    /// 计票: reconciles issued against returned. More returned than issued voids the round (kept, never overwritten).
    @Sendable
    func count(req: Request) async throws -> RoundDTO {
        let (actor, campaign, round) = try await chairRound(req)
        _ = try await RoundOperations.count(round, by: actor, on: req.db)
        try await broadcast(req, campaign)
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

    func chairRound(_ req: Request) async throws -> (Actor, Campaign, BallotRound) {
        let actor = try await req.actor()
        let campaign = try await findCampaign(req.parameters.get("campaignID"), for: actor, .chair, on: req.db)
        guard let raw = req.parameters.get("roundID"), let id = UUID(uuidString: raw), let round = try await BallotRound.find(id, on: req.db),
              round.$campaign.id == campaign.id else { throw APIError.notFound("投票轮次") }
        return (actor, campaign, round)
    }
}

/// Where phones reach this server: PINGYI_PUBLIC_URL, else the address the chair's browser used.
func publicBaseURL(_ req: Request) -> String {
    if let configured = Environment.get("PINGYI_PUBLIC_URL"), !configured.isEmpty {
        return configured.hasSuffix("/") ? String(configured.dropLast()) : configured
    }
    let scheme = CookieSession.isSecure(req) ? "https" : "http"
    let host = req.headers.first(name: .host) ?? "127.0.0.1:8080"
    return "\(scheme)://\(host)"
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
    let reconciliation = round.reconciliation.flatMap { try? JSONDecoder().decode(RoundReconciliation.self, from: Data($0.utf8)) }
    return RoundDTO(
        id: id, number: round.number, state: round.state.rawValue, stateLabel: round.state.label,
        issuedCodes: round.issuedCodes, issuedSheets: round.issuedSheets, extraSheets: round.extraSheets,
        receivedElectronic: electronic, keyedSheets: confirmed,
        pendingSheets: sheets.filter { $0.state == .keyedOnce }.count, mismatchedSheets: sheets.filter { $0.state == .mismatch }.count,
        received: electronic + confirmed + round.extraSheets, issued: round.issued, reconciliation: reconciliation,
        openedAt: round.openedAt, sealedAt: round.sealedAt, countedAt: round.countedAt)
}

/// The latest round, as the projector shows it.
func liveRound(campaignID: UUID, on db: any Database) async throws -> LiveRoundDTO? {
    guard let round = try await BallotRound.query(on: db).filter(\.$campaign.$id == campaignID).sort(\.$number, .descending).first() else {
        return nil
    }
    let dto = try await roundDTO(round, on: db)
    return LiveRoundDTO(number: round.number, state: round.state.rawValue, stateLabel: round.state.label, issued: dto.issued, received: dto.received)
}
