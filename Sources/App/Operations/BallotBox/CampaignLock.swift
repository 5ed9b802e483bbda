import Fluent
import Foundation
import PingyiCore
import SQLKit

/// Reads a campaign's phase inside a write transaction and holds its row until the transaction ends (PostgreSQL
/// `FOR UPDATE`; on SQLite writers already take turns), so a phase change and a round's work never interleave.
func lockedPhase(of campaignID: UUID, on db: any Database) async throws -> CampaignPhase {
    struct Row: Decodable { var status: CampaignPhase }
    let sql = db as! any SQLDatabase
    let lock = sql.dialect.name == "sqlite" ? "" : " FOR UPDATE"
    guard let row = try await sql.raw("SELECT \(ident: "status") FROM \(ident: Campaign.schema) WHERE \(ident: "id") = \(bind: campaignID)\(unsafeRaw: lock)")
        .first(decoding: Row.self) else { throw APIError.notFound("评议活动") }
    return row.status
}

extension Campaign {
    /// A write's phase check, inside its write transaction: the phase is read again under the campaign's lock, so a
    /// change of phase committed since the request read the campaign (the meeting started at that moment) is seen
    /// and the write refused, never landing after it.
    func requireLocked(_ allowed: (CampaignPhase) -> Bool, _ what: String, on db: any Database) async throws {
        try await lockedPhase(of: requireID(), on: db).require(allowed, what)
    }
}

/// What the lifecycle needs to know of a campaign's rounds, read in the caller's transaction.
func ballotBoxFacts(of campaignID: UUID, on db: any Database) async throws -> BallotBoxFacts {
    let states = try await BallotRound.query(on: db).filter(\.$campaign.$id == campaignID).all().map(\.state)
    return BallotBoxFacts(hasRounds: !states.isEmpty,
                          hasUnfinishedRound: states.contains { $0 == .open || $0 == .sealed },
                          hasCountedRound: states.contains(.counted))
}

/// Moves a campaign to `target` if the lifecycle allows it now: the phase and the rounds are read under the
/// campaign's lock, so a round opened or counted at the same moment is seen. Returns the phase it came from.
@discardableResult
func changePhase(of campaign: Campaign, to target: CampaignPhase, on db: any Database) async throws -> CampaignPhase {
    let id = try campaign.requireID()
    let from = try await lockedPhase(of: id, on: db)
    try from.transition(to: target, box: try await ballotBoxFacts(of: id, on: db))
    campaign.status = target
    try await campaign.save(on: db)
    return from
}
