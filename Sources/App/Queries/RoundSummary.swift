import Fluent
import PingyiCore
import SQLKit
import Vapor

/// 轮次概况: a ballot round as the console, the tally page and the projector show it — issued and returned, phone
/// ballots and paper sheets, per rater group — and the public list of receipts. Counts only, never a ballot's content.
enum RoundSummary {
    /// A campaign's rounds, in order.
    static func rounds(of campaign: Campaign, on db: any Database) async throws -> [RoundDTO] {
        let rounds = try await BallotRound.query(on: db).filter(\.$campaign.$id == campaign.requireID()).sort(\.$number).all()
        var result: [RoundDTO] = []
        for round in rounds { result.append(try await roundDTO(round, on: db)) }
        return result
    }

    /// The receipts counted in a round, in their own order: anyone can check theirs is there; nothing shows content.
    static func receipts(ofRound rawID: String?, on db: any Database) async throws -> ReceiptListDTO {
        guard let rawID, let id = UUID(uuidString: rawID), let round = try await BallotRound.find(id, on: db),
              round.state != .open, let campaign = try await Campaign.find(round.$campaign.id, on: db) else {
            throw APIError(.notFound, "not_found", "该轮次不存在或尚未封箱")
        }
        let receipts = try await BallotReceipt.query(on: db).filter(\.$roundID == id).sort(\.$id).all().compactMap(\.id)
        return ReceiptListDTO(campaignTitle: campaign.title, roundNumber: round.number, state: round.state.label,
                              receipts: receipts.map { VotingCode.grouped($0) })
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

/// A round as the projector shows it; `groups` are the campaign's rater groups in order.
func liveRound(_ round: BallotRound, groups: [(id: UUID, name: String)], on db: any Database) async throws -> LiveRoundDTO {
    let dto = try await roundDTO(round, on: db)
    return LiveRoundDTO(number: round.number, state: round.state.rawValue, stateLabel: round.state.label, issued: dto.issued, received: dto.received,
                        issuedCodes: round.issuedCodes, receivedPhone: dto.receivedElectronic, issuedSheets: round.issuedSheets,
                        groups: try await groupProgress(round, groups: groups, on: db))
}

/// Per rater group: codes issued and phone ballots received (what can come back while voting), and paper sets
/// issued, apart. Counts only.
func groupProgress(_ round: BallotRound, on db: any Database) async throws -> [LiveGroupProgressDTO] {
    try await groupProgress(round, groups: raterGroupNames(campaignID: round.$campaign.id, on: db), on: db)
}

func groupProgress(_ round: BallotRound, groups: [(id: UUID, name: String)], on db: any Database) async throws -> [LiveGroupProgressDTO] {
    let roundID = try round.requireID()
    let codes = try await countsByGroup("""
        SELECT "rater_group_id", COUNT(*) AS "n" FROM "ballot_codes" WHERE "round_id" = \(bind: roundID) GROUP BY "rater_group_id"
        """, on: db)
    let phones = try await phoneBallotsByGroup(roundID: roundID, on: db)
    let plan = Dictionary(round.sheetPlan.map { ($0.raterGroupID, $0.count) }, uniquingKeysWith: +)
    return groups.map { group in
        LiveGroupProgressDTO(name: group.name, issued: codes[group.id] ?? 0, received: phones[group.id] ?? 0, paperIssued: plan[group.id] ?? 0)
    }
}

/// Phone ballots received in a round, per rater group.
func phoneBallotsByGroup(roundID: UUID, on db: any Database) async throws -> [UUID: Int] {
    try await phoneBallotsByGroup(rounds: [roundID], on: db)[roundID] ?? [:]
}

/// Phone ballots received per round and rater group, several rounds in one grouped query (the live screens' burst
/// reads, issue 25; on PostgreSQL each round's own partition).
func phoneBallotsByGroup(rounds: [UUID], on db: any Database) async throws -> [UUID: [UUID: Int]] {
    guard !rounds.isEmpty else { return [:] }
    struct Row: Decodable { var round_id: UUID; var rater_group_id: UUID; var n: Int }
    let rows = try await (db as! any SQLDatabase).raw("""
        SELECT "round_id", "rater_group_id", COUNT(*) AS "n" FROM "ballots"
        WHERE "round_id" IN \(SQLBind.group(rounds)) AND "medium" = 'electronic' GROUP BY "round_id", "rater_group_id"
        """).all(decoding: Row.self)
    return rows.reduce(into: [:]) { $0[$1.round_id, default: [:]][$1.rater_group_id, default: 0] += $1.n }
}

private func countsByGroup(_ query: SQLQueryString, on db: any Database) async throws -> [UUID: Int] {
    struct Row: Decodable { var rater_group_id: UUID; var n: Int }
    return Dictionary(try await (db as! any SQLDatabase).raw(query).all(decoding: Row.self).map { ($0.rater_group_id, $0.n) },
                      uniquingKeysWith: +)
}
