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
        let actor = try await req.actor()
        let campaign = try await findCampaign(req.parameters.get("campaignID"), for: actor, .manage, on: req.db)
        try campaign.require({ !$0.isReadOnly }, "考核权重")
        let body = try req.content.decode(AssessmentWeightsRequest.self)
        let rules = AssessmentRules(rawWeights: body.weights)
        try rules.validate()
        let before = campaign.assessmentRules
        campaign.storedAssessmentRules = rules
        try await req.db.writeTransaction { db in
            try await campaign.requireLocked({ !$0.isReadOnly }, "考核权重", on: db)
            try await campaign.save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "assessment.weights",
                                  summary: "修改考核分项权重", before: before, after: rules)
        }
        return try await requireReport(campaign, on: req.db).dto
    }

    @Sendable
    func enterAssessment(req: Request) async throws -> ReporteeResultDTO {
        let actor = try await req.actor()
        let campaign = try await findCampaign(req.parameters.get("campaignID"), for: actor, .manage, on: req.db)
        try campaign.require({ !$0.isReadOnly }, "考核录入")
        guard let raw = req.parameters.get("reporteeID"), let reporteeID = UUID(uuidString: raw),
              let reportee = try await Reportee.find(reporteeID, on: req.db), reportee.$campaign.id == campaign.id else {
            throw APIError.notFound("述职对象")
        }
        let body = try req.content.decode(AssessmentEntryRequest.self)
        let entry = AssessmentEntry(rawScores: body.scores, veto: try body.veto.map { try requireText($0, "一票否决理由", max: 500) })
        try entry.validate(reportsOnSite: reportee.mode == .onsite)
        _ = try await requireReport(campaign, on: req.db)
        let campaignID = try campaign.requireID()
        try await req.db.writeTransaction { db in
            try await campaign.requireLocked({ !$0.isReadOnly }, "考核录入", on: db)
            let record = try await AssessmentRecord.query(on: db).filter(\.$reportee.$id == reporteeID).first()
            let before = record?.entry
            if let record {
                record.entry = entry
                try await record.save(on: db)
            } else {
                try await AssessmentRecord(campaignID: campaignID, reporteeID: reporteeID, entry: entry).save(on: db)
            }
            var summary = "录入考核：\(reportee.name)"
            if entry.veto != nil, before?.veto == nil { summary += "（一票否决）" }
            if entry.veto == nil, before?.veto != nil { summary += "（撤销一票否决）" }
            try await recordAudit(on: db, actor: actor, campaignID: campaignID, action: "assessment.entry",
                                  summary: summary, before: before, after: entry)
        }
        let report = try await requireReport(campaign, on: req.db)
        guard let result = report.result(reporteeID.uuidString) else { throw APIError.notFound("述职对象的结果") }
        return report.dto(result)
    }
}
