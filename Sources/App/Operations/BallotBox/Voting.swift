import Crypto
import Fluent
import Foundation
import PingyiCore
import SQLKit
import Vapor

/// The phone's side of the ballot box: look a code up, cast one ballot with it. No account, no cookie; the code is
/// all. Nothing here logs a code or a ballot body.
enum Voting {
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

    /// A cast ballot's answer: its receipt, or the same receipt again for the same phone's retry.
    struct Cast: Sendable {
        var receipt: String
        var roundNumber: Int
        var roundID: UUID
        var campaignID: UUID
        var alreadyRecorded: Bool
    }

    /// Finds a code and its round, counting a wrong code against the client (see `CodeAttemptLimiter`).
    static func lookUp(_ raw: String, client: String, app: Application, on db: any Database) async throws -> CodeFacts {
        let limiter = app.codeAttempts
        if let wait = await limiter.blocked(client) {
            throw APIError(.tooManyRequests, "too_many_attempts", "错误次数过多，请 \(wait) 秒后再试")
        }
        let sql = db as! any SQLDatabase
        guard raw.count <= 64, let normalized = VotingCode.normalize(raw) else {
            await limiter.fail(client)
            throw APIError(.notFound, "unknown_code", "投票码无效，请核对后重新输入")
        }
        // The code's round first, from the index written at issue, then the code in that round alone: on PostgreSQL
        // the lookup reads only its own round's partition, never one that another meeting's seal holds.
        struct CodeRound: Decodable { var round_id: UUID }
        let hash = codeHash(normalized)
        let round = try await sql.select().column("round_id").from(BallotCodeRound.schema)
            .where("code_hash", .equal, hash).first(decoding: CodeRound.self)?.round_id
        func find() async throws -> CodeFacts? {
            guard let round else { return nil }
            return try await sql.raw("""
                SELECT c."id" AS "code_id", c."used", c."submission_hash", c."rater_group_id", r."id" AS "round_id",
                r."state", r."number", r."campaign_id"
                FROM "ballot_codes" c JOIN "ballot_rounds" r ON r."id" = c."round_id"
                WHERE c."round_id" = \(bind: round) AND c."code_hash" = \(bind: hash)
                """).first(decoding: CodeFacts.self)
        }
        guard let facts = try await find() else {
            await limiter.fail(client)
            throw APIError(.notFound, "unknown_code", "投票码无效，请核对后重新输入")
        }
        return facts
    }

    /// One code, one ballot: the code is marked used by a conditional update in the same transaction that stores the
    /// ballot (`BallotWriter`), so of any number of concurrent submissions exactly one wins; the same phone retrying
    /// with its submission id gets its receipt again.
    static func cast(_ body: VoteRequest, client: String, app: Application, on db: any Database) async throws -> Cast {
        guard (8...64).contains(body.submissionID.count),
              body.submissionID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw APIError.badRequest("提交编号无效，请刷新页面后重试")
        }
        let facts = try await lookUp(body.code, client: client, app: app, on: db)
        guard let normalized = VotingCode.normalize(body.code) else { throw APIError.badRequest("投票码格式不正确") }
        let submissionHash = sha256Hex("submission:\(normalized):\(body.submissionID)")
        let receipt = Self.receipt(code: normalized, submissionID: body.submissionID)
        if facts.used { return try repeatOrRefuse(facts, submissionHash: submissionHash, receipt: receipt) }
        guard facts.roundState == .open else { throw closed(number: facts.roundNumber, state: facts.roundState) }
        let encoder = try await app.roundSpecs.encoder(roundID: facts.roundID, on: db)
        let marks = try body.ballot.map { try encoder.encodeCompact($0) } ?? encoder.encodeElectronic(body.marks ?? [])
        let outcome = try await app.ballotWriter.write(BallotWriter.Job(
            codeID: facts.codeID, roundID: facts.roundID, raterGroupID: facts.raterGroupID, submissionHash: submissionHash,
            marks: marks, receipt: receipt))
        guard outcome == .stored else {
            // Another submission of this code won the race, or the box closed meanwhile.
            let fresh = try await lookUp(body.code, client: client, app: app, on: db)
            guard fresh.used else { throw closed(number: fresh.roundNumber, state: fresh.roundState) }
            return try repeatOrRefuse(fresh, submissionHash: submissionHash, receipt: receipt)
        }
        return Cast(receipt: receipt, roundNumber: facts.roundNumber, roundID: facts.roundID, campaignID: facts.campaignID, alreadyRecorded: false)
    }

    static func repeatOrRefuse(_ facts: CodeFacts, submissionHash: String, receipt: String) throws -> Cast {
        guard facts.submissionHash == submissionHash else {
            throw APIError(.conflict, "code_used", "此投票码已经投过票，每个投票码只能使用一次")
        }
        return Cast(receipt: receipt, roundNumber: facts.roundNumber, roundID: facts.roundID, campaignID: facts.campaignID, alreadyRecorded: true)
    }

    static func closed(number: Int, state: BallotRoundState) -> APIError {
        APIError(.conflict, "round_closed", state == .open ? "投票尚未开始" : "第 \(number) 轮投票已结束（\(state.label)），不能再投票")
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
