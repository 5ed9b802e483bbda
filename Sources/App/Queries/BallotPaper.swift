import Fluent
import PingyiCore
import Vapor

extension Voting {
    /// What a phone shows for a valid code: the campaign, the round, the rater group, the reportees and the forms.
    static func ballotPaper(_ facts: CodeFacts, on db: any Database) async throws -> VoteCheckDTO {
        guard let campaign = try await Campaign.find(facts.campaignID, on: db) else { throw APIError.notFound("评议活动") }
        let reportees = try await Reportee.query(on: db).filter(\.$campaign.$id == facts.campaignID).sort(\.$position).all()
        let group = try await RaterGroup.find(facts.raterGroupID, on: db)
        return VoteCheckDTO(
            campaignTitle: campaign.title, roundNumber: facts.roundNumber, raterGroup: group?.name ?? "",
            reportees: try reportees.map { VoteReporteeDTO(id: try $0.requireID(), name: $0.name, unitName: $0.unitName, title: $0.title, mode: $0.mode.rawValue) },
            forms: campaign.forms, used: facts.used)
    }
}
