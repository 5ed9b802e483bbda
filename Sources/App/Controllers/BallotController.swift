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
        return try await RoundSummary.rounds(of: campaign, on: req.db)
    }

    /// Opens the next round. Codes exist in the clear only in this answer: the console prints them as slips.
    @Sendable
    func open(req: Request) async throws -> Response {
        let (actor, campaign) = try await req.campaign(allowing: \.allowsVoting, "票箱（会议中才能投票）")
        let body = try req.content.decode(RoundOpenRequest.self)
        let base = publicBaseURL(req)
        let (round, issuedCodes) = try await BallotRounds.openRound(body, in: campaign, by: actor, on: req.db)
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
        try await BallotRounds.seal(round, by: actor, gate: req.application.roundClosings, on: req.db)
        await LiveScreens.refresh(try campaign.requireID(), app: req.application)
        return try await roundDTO(try await reloaded(round, on: req.db), on: req.db)
    }

    /// 计票: reconciles issued against returned. More returned than issued voids the round (kept, never overwritten).
    @Sendable
    func count(req: Request) async throws -> RoundDTO {
        let (actor, campaign, round) = try await req.round()
        _ = try await BallotRounds.count(round, by: actor, gate: req.application.roundClosings, on: req.db)
        await LiveScreens.refresh(try campaign.requireID(), app: req.application)
        return try await roundDTO(try await reloaded(round, on: req.db), on: req.db)
    }

    /// The receipts counted in a round, in their own order: anyone can check theirs is there; nothing shows content.
    @Sendable
    func receipts(req: Request) async throws -> ReceiptListDTO {
        try await RoundSummary.receipts(ofRound: req.parameters.get("roundID"), on: req.db)
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
