import Crypto
import Fluent
import PingyiCore
import SQLKit
import Vapor

/// The phone's side of the ballot box: check a code, cast one ballot with it. No account, no cookie; the code is all.
/// Nothing here logs a code or a ballot body.
struct VoteController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let vote = routes.grouped("api", "v1", "vote")
        vote.post("check", use: check)
        vote.post(use: submit)
    }

    @Sendable
    func check(req: Request) async throws -> VoteCheckDTO {
        let body = try req.content.decode(VoteCheckRequest.self)
        let facts = try await lookUpFacts(body.code, req)
        guard facts.roundState.acceptsElectronicBallots else { throw closed(number: facts.roundNumber, state: facts.roundState) }
        guard let campaign = try await Campaign.find(facts.campaignID, on: req.db) else { throw APIError.notFound("评议活动") }
        let reportees = try await Reportee.query(on: req.db).filter(\.$campaign.$id == facts.campaignID).sort(\.$position).all()
        let group = try await RaterGroup.find(facts.raterGroupID, on: req.db)
        return VoteCheckDTO(
            campaignTitle: campaign.title, roundNumber: facts.roundNumber, raterGroup: group?.name ?? "",
            reportees: try reportees.map { VoteReporteeDTO(id: try $0.requireID(), name: $0.name, unitName: $0.unitName, title: $0.title, mode: $0.mode.rawValue) },
            forms: campaign.forms, used: facts.used)
    }

    /// Acknowledged only after the commit. One code, one ballot: the code is marked used by a conditional update in
    /// the same transaction that stores the ballot, so of any number of concurrent submissions exactly one wins.
    @Sendable
    func submit(req: Request) async throws -> VoteReceiptDTO {
        let body = try req.content.decode(VoteRequest.self)
        guard (8...64).contains(body.submissionID.count),
              body.submissionID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw APIError.badRequest("提交编号无效，请刷新页面后重试")
        }
        let facts = try await lookUpFacts(body.code, req)
        guard let normalized = VotingCode.normalize(body.code) else { throw APIError.badRequest("投票码格式不正确") }
        let submissionHash = Self.hash("submission:\(normalized):\(body.submissionID)")
        let receipt = Self.receipt(code: normalized, submissionID: body.submissionID)
        if facts.used {
            return try repeatOrRefuse(storedHash: facts.submissionHash, submissionHash: submissionHash, receipt: receipt, roundNumber: facts.roundNumber)
        }
        guard facts.roundState == .open else { throw closed(number: facts.roundNumber, state: facts.roundState) }
        let encoder = try await req.application.roundSpecs.encoder(roundID: facts.roundID, on: req.db)
        let marks = try body.ballot.map { try encoder.encodeCompact($0) } ?? encoder.encodeElectronic(body.marks ?? [])
        let outcome = try await req.application.ballotWriter.write(BallotWriter.Job(
            codeID: facts.codeID, roundID: facts.roundID, raterGroupID: facts.raterGroupID, submissionHash: submissionHash,
            marks: marks, receipt: receipt))
        let stored = outcome == .stored
        guard stored else {
            // Another submission of this code won the race, or the box closed meanwhile.
            let fresh = try await lookUpFacts(body.code, req)
            guard fresh.used else { throw closed(number: fresh.roundNumber, state: fresh.roundState) }
            return try repeatOrRefuse(storedHash: fresh.submissionHash, submissionHash: submissionHash, receipt: receipt,
                                      roundNumber: fresh.roundNumber)
        }
        try await broadcastSoon(req, campaignID: facts.campaignID)
        return VoteReceiptDTO(receipt: VotingCode.grouped(receipt), roundNumber: facts.roundNumber, alreadyRecorded: false)
    }

    func repeatOrRefuse(storedHash: String?, submissionHash: String, receipt: String, roundNumber: Int) throws -> VoteReceiptDTO {
        guard storedHash == submissionHash else {
            throw APIError(.conflict, "code_used", "此投票码已经投过票，每个投票码只能使用一次")
        }
        return VoteReceiptDTO(receipt: VotingCode.grouped(receipt), roundNumber: roundNumber, alreadyRecorded: true)
    }

    func closed(number: Int, state: BallotRoundState) -> APIError {
        APIError(.conflict, "round_closed", state == .open ? "投票尚未开始" : "第 \(number) 轮投票已\(state.label)，不能再投票")
    }

    /// What the ballot box needs to know about a code, in one query.
    struct CodeFacts: Decodable {
        var codeID: UUID
        var used: Bool
        var submissionHash: String?
        var raterGroupID: UUID
        var roundID: UUID
        var roundState: BallotRoundState
        var roundNumber: Int
        var campaignID: UUID

        enum CodingKeys: String, CodingKey {
            case codeID = "code_id", used, submissionHash = "submission_hash", raterGroupID = "rater_group_id"
            case roundID = "round_id", roundState = "state", roundNumber = "number", campaignID = "campaign_id"
        }
    }

    /// Finds a code and its round in one query, counting wrong codes against the client.
    func lookUpFacts(_ raw: String, _ req: Request) async throws -> CodeFacts {
        let client = ClientAddress.of(req)
        let limiter = req.application.codeAttempts
        if let wait = await limiter.blocked(client) {
            throw APIError(.tooManyRequests, "too_many_attempts", "错误次数过多，请 \(wait) 秒后再试")
        }
        let sql = req.db as! any SQLDatabase
        guard raw.count <= 64, let normalized = VotingCode.normalize(raw),
              let facts = try await sql.raw("""
                SELECT c."id" AS "code_id", c."used", c."submission_hash", c."rater_group_id", r."id" AS "round_id",
                r."state", r."number", r."campaign_id"
                FROM "ballot_codes" c JOIN "ballot_rounds" r ON r."id" = c."round_id" WHERE c."code_hash" = \(bind: codeHash(normalized))
                """).first(decoding: CodeFacts.self) else {
            await limiter.fail(client)
            throw APIError(.notFound, "unknown_code", "投票码无效，请核对后重新输入")
        }
        return facts
    }

    static func hash(_ text: String) -> String {
        sha256Hex(text)
    }

    /// The receipt follows from the code and the phone's submission id, so a retry gets the same one back without
    /// anything tying a receipt to a ballot row.
    static func receipt(code: String, submissionID: String) -> String {
        let digest = Array(SHA256.hash(data: Data("pingyi-receipt:\(code):\(submissionID)".utf8)))
        var value = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        var result = ""
        for _ in 0..<VotingCode.receiptLength {
            result.append(VotingCode.alphabet[Int(value & 31)])
            value >>= 5
        }
        return result
    }
}

/// Each round's ballot encoder, built once: a round's layout is frozen while it exists.
actor RoundSpecCache {
    private var cache: [UUID: BallotEncoder] = [:]

    func encoder(roundID: UUID, on db: any Database) async throws -> BallotEncoder {
        if let hit = cache[roundID] { return hit }
        guard let round = try await BallotRound.find(roundID, on: db) else { throw APIError.notFound("投票轮次") }
        let encoder = BallotEncoder(layout: round.layout)
        if cache.count > 1000 { cache.removeAll() }
        cache[roundID] = encoder
        return encoder
    }
}

extension Application {
    private struct RoundSpecKey: StorageKey {
        typealias Value = RoundSpecCache
    }

    var roundSpecs: RoundSpecCache {
        if let cache = storage[RoundSpecKey.self] { return cache }
        let cache = RoundSpecCache()
        storage[RoundSpecKey.self] = cache
        return cache
    }
}

/// Tells the live screens something counted changed (a ballot, a check-in): at most one update per campaign every
/// quarter second, and none when nobody watches, so a busy door or ballot box does not recompute the screen each time.
func broadcastSoon(_ req: Request, campaign: Campaign) async throws {
    try await broadcastSoon(req, campaignID: campaign.requireID())
}

func broadcastSoon(_ req: Request, campaignID id: UUID) async throws {
    let app = req.application
    let hub = app.liveHub
    let local = await hub.claimCoalesced(id)
    let remote = app.liveRelay == nil ? false : await hub.claimAnnouncement(id)
    guard local || remote else { return }
    Task {
        try? await Task.sleep(for: .milliseconds(250))
        if remote {
            await hub.releaseAnnouncement(id)
            await app.liveRelay?.announce(id, on: app.db)
        }
        if local {
            await hub.releaseCoalesced(id)
            await refreshScreens(app, id)
        }
    }
}

/// Slows down clients that keep trying wrong codes: 10 wrong in a minute blocks that address for the rest of it.
actor CodeAttemptLimiter {
    static let window: TimeInterval = 60
    static let maxFailures = 10
    private var failures: [String: [Date]] = [:]

    func fail(_ client: String, at now: Date = Date()) {
        var list = failures[client, default: []].filter { now.timeIntervalSince($0) < Self.window }
        list.append(now)
        failures[client] = list
        if failures.count > 10_000 { failures = failures.filter { !$0.value.isEmpty && now.timeIntervalSince($0.value.last!) < Self.window } }
    }

    /// Seconds to wait, when blocked.
    func blocked(_ client: String, at now: Date = Date()) -> Int? {
        let recent = failures[client, default: []].filter { now.timeIntervalSince($0) < Self.window }
        guard recent.count >= Self.maxFailures, let oldest = recent.first else { return nil }
        return max(1, Int((Self.window - now.timeIntervalSince(oldest)).rounded(.up)))
    }
}

extension Application {
    private struct CodeAttemptKey: StorageKey {
        typealias Value = CodeAttemptLimiter
    }

    var codeAttempts: CodeAttemptLimiter {
        if let limiter = storage[CodeAttemptKey.self] { return limiter }
        let limiter = CodeAttemptLimiter()
        storage[CodeAttemptKey.self] = limiter
        return limiter
    }
}
