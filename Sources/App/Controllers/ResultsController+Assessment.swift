import Fluent
import Foundation
import PingyiCore
import Vapor

/// 考核: weights of the parts, and each secretary's entered scores and 一票否决. Every entry is audited with its
/// before and after.
extension ResultsController {
    func bootAssessment(_ campaign: any RoutesBuilder) {
        campaign.put("assessment-weights", use: replaceAssessmentWeights).requiring(.manage)
        campaign.put("assessments", ":reporteeID", use: enterAssessment).requiring(.manage)
    }

    @Sendable
    func replaceAssessmentWeights(req: Request) async throws -> ResultsDTO {
        let (actor, campaign) = try await req.campaign()
        try campaign.require({ !$0.isReadOnly }, "考核权重")
        let body = try req.content.decode(AssessmentWeightsRequest.self)
        let changed = try await Publishing.replaceAssessmentWeights(body.weights, of: campaign, by: actor, on: req.db)
        return try await requireReport(changed, on: req.db).dto
    }

    @Sendable
    func enterAssessment(req: Request) async throws -> ReporteeResultDTO {
        let (actor, campaign) = try await req.campaign()
        try campaign.require({ !$0.isReadOnly }, "考核录入")
        let reportee = try await req.child(Reportee.self, "reporteeID", of: campaign, "述职对象")
        let body = try req.content.decode(AssessmentEntryRequest.self)
        try await Publishing.enterAssessment(body, for: reportee, in: campaign, by: actor, on: req.db)
        let (report, result) = try await CampaignReport.sheet(of: reportee, in: campaign, for: actor, on: req.db)
        return report.dto(result)
    }
}
