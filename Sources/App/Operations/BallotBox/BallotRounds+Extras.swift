import Fluent
import Foundation
import PingyiCore
import SQLKit

/// Claims on a round's row besides seal and count: 补发 (extra codes while it is open) and 多出的选票 (sheets found in
/// the sealed box that were never issued). Each claims the row in the state it needs, in the same statement that
/// changes it, so a seal or count in flight is wholly before or after.
extension BallotRounds {
    /// 开启投票 as the chair asks: codes and paper forms per rater group, planned against who is checked in
    /// (`RoundIssuePlan`), then `open`.
    static func openRound(_ request: RoundOpenRequest, in campaign: Campaign, by actor: Actor,
                          on db: any Database) async throws -> (BallotRound, [(group: String, codes: [String])]) {
        let campaignID = try campaign.requireID()
        let groups = try await RaterGroup.query(on: db).filter(\.$campaign.$id == campaignID).sort(\.$position).all()
        let attendance = try await attendanceOf(campaign, on: db)
        let present = Dictionary(zip(groups.compactMap { $0.id?.uuidString }, attendance.groups.map(\.present)), uniquingKeysWith: { a, _ in a })
        let plan = try RoundIssuePlan(groups: groups.compactMap { $0.id?.uuidString }, present: present, codes: request.codes,
                                      sheets: request.paperSheets, minimum: campaign.rules.effectiveMinimumGroupSize)
        return try await open(campaign, plan: plan, groups: groups, by: actor, on: db)
    }

    /// 补发: `count` (1–100) more codes for the rater group `groupID` while the round is open (a late arrival, a lost
    /// slip); they count as issued. The codes exist in the clear only in this answer, with the group they are for.
    static func issueExtraCodes(_ count: Int, forGroup groupID: UUID, in round: BallotRound, campaign: Campaign, by actor: Actor,
                                on db: any Database) async throws -> (codes: [String], group: RaterGroup) {
        guard round.state == .open else { throw APIError.conflict("只有投票中的轮次可以补发投票码") }
        guard (1...100).contains(count) else { throw APIError(.unprocessableEntity, "invalid", "补发数量应在 1 到 100 之间") }
        let group = try await findChild(RaterGroup.self, groupID.uuidString, in: campaign, "评议人类别", on: db)
        let roundID = try round.requireID()
        let codes = try await db.writeTransaction { db -> [String] in
            // Counted as issued only while the round is still open, in the same claim.
            guard try await claimRow("""
                UPDATE "ballot_rounds" SET "issued_codes" = "issued_codes" + \(bind: count)
                WHERE "id" = \(bind: roundID) AND "state" = \(bind: BallotRoundState.open.rawValue)
                """, on: db) else { throw APIError.conflict("只有投票中的轮次可以补发投票码") }
            let codes = try await storeNewCodes(count, raterGroupID: group.requireID(), roundID: roundID, on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "round.extra_codes",
                                  summary: "第 \(round.number) 轮补发投票码 \(codes.count) 个（\(group.name)）")
            return codes
        }
        return (codes, group)
    }

    /// Records `count` (0–10,000) sheets found in the sealed box that were never issued (no serial, a repeated serial):
    /// returned and void.
    static func recordExtraSheets(_ count: Int, in round: BallotRound, campaign: Campaign, by actor: Actor, on db: any Database) async throws {
        guard round.state.acceptsPaperEntry else { throw APIError.conflict("封箱后、计票前才能登记") }
        guard (0...10_000).contains(count) else { throw APIError(.unprocessableEntity, "invalid", "数量无效") }
        let before = round.extraSheets
        let roundID = try round.requireID()
        try await db.writeTransaction { db in
            try await requireRoundWork(round, on: db)
            guard try await claimRow("""
                UPDATE "ballot_rounds" SET "extra_sheets" = \(bind: count)
                WHERE "id" = \(bind: roundID) AND "state" = \(bind: BallotRoundState.sealed.rawValue)
                """, on: db) else { throw APIError.conflict("封箱后、计票前才能登记") }
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "paper.extra",
                                  summary: "第 \(round.number) 轮登记多出的选票 \(count) 份", before: ["extraSheets": before], after: ["extraSheets": count])
        }
    }
}
