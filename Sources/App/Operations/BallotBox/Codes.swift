import Crypto
import Fluent
import Foundation
import PingyiCore
import SQLKit

/// Makes `count` voting codes for a rater group and stores only their hashes, through SQLKit: Fluent logs a model's
/// values at debug level. The codes in the clear go back to the caller alone, to be printed.
func storeNewCodes(_ count: Int, raterGroupID: UUID, roundID: UUID, on db: any Database) async throws -> [String] {
    let codes = (0..<count).map { _ in VotingCode.generate() }
    // Stored in the hashes' order, not the slips': where a row sits says nothing about whose slip it is.
    let hashes = codes.map(codeHash).sorted()
    let sql = db as! any SQLDatabase
    for start in stride(from: 0, to: hashes.count, by: 500) {
        let part = hashes[start..<min(start + 500, hashes.count)]
        try await sql.insert(into: BallotCode.schema)
            .columns("id", "round_id", "rater_group_id", "code_hash", "used")
            .rows(part.map { [SQLBind(UUID()), SQLBind(roundID), SQLBind(raterGroupID), SQLBind($0), SQLBind(false)] }).run()
        try await sql.insert(into: BallotCodeRound.schema).columns("code_hash", "round_id")
            .rows(part.map { [SQLBind($0), SQLBind(roundID)] }).run()
    }
    return codes
}

/// The printable slips of some codes: grouped code, the voting address with the code in its fragment, and a QR code.
/// Drawn outside any transaction: it is the slow part of opening a round, so the slips are drawn on every core at
/// once, in the codes' order.
func codeSlips(_ codes: [String], raterGroup: String, base: String) async -> [IssuedCodeDTO] {
    let slip = { @Sendable (code: String) -> IssuedCodeDTO in
        let url = "\(base)/v#\(code)"
        return IssuedCodeDTO(raterGroup: raterGroup, code: VotingCode.grouped(code), url: url,
                             qrSVG: (try? QRCode(text: url).svg(title: "投票码二维码")) ?? "")
    }
    let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
    let chunk = max(1, (codes.count + cores - 1) / cores)
    return await withTaskGroup(of: (Int, [IssuedCodeDTO]).self) { tasks in
        for start in stride(from: 0, to: codes.count, by: chunk) {
            let part = Array(codes[start..<min(start + chunk, codes.count)])
            tasks.addTask { (start, part.map(slip)) }
        }
        var parts: [(Int, [IssuedCodeDTO])] = []
        for await part in tasks { parts.append(part) }
        return parts.sorted { $0.0 < $1.0 }.flatMap(\.1)
    }
}

/// SHA-256 of the normalized code. 80 random bits make a salt unnecessary.
func codeHash(_ normalizedCode: String) -> String {
    sha256Hex("pingyi-code:" + normalizedCode)
}
