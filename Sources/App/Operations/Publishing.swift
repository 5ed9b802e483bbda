import Fluent
import Foundation
import PingyiCore

/// 结果公示与考核: what turns a count into published results — the assessment's weights and entries, the public
/// notice and its withdrawal, and the record of every export. Each opens its own write transaction and writes its
/// audit entry.
enum Publishing {
    /// 发布结果公示: a frozen copy of the chosen secretaries' lines (`PublishedRows`), public for 1–30 days, stamped with
    /// the audit chain's head. The first publication moves the campaign to 已发布, which opens each secretary's own sheet.
    static func publish(_ request: PublicationRequest, in campaign: Campaign, by actor: Actor,
                        on db: any Database) async throws -> Publication {
        try PublishedRows.checkRequest(days: request.days, chosen: request.reporteeIDs)
        let title = try requireText(request.title ?? "\(campaign.title)结果公示", "公示标题", max: 200)
        let issuer = try request.issuer.map { try requireText($0, "发布单位", max: 100) }
        let contact = try optionalText(request.contact ?? "", "联系方式", max: 100)
        let objectionText = try request.objectionText.map { try requireText($0, "异议说明", max: 500) }
        guard [.meeting, .counting, .published].contains(campaign.status) else {
            throw APIError.lifecycle(.illegal(from: campaign.status, to: .published))
        }
        let report = try await requireReport(campaign, on: db)
        let candidates = report.computed.results.compactMap { result -> PublishedRow? in
            guard let person = report.reportee(result.reportee), let id = person.id else { return nil }
            return PublishedRow(reporteeID: id, name: person.name, unitName: person.unitName, title: person.title,
                                goodRate: result.goodRate, composite: result.composite, rank: result.rank,
                                evaluationGrade: result.grade?.label, finalGrade: report.outcomes[result.reportee]?.grade?.label)
        }
        let rows = try PublishedRows.build(request.reporteeIDs, from: candidates)
        let now = Date()
        let publication = Publication(campaignID: try campaign.requireID(), title: title, startsAt: now,
                                      endsAt: now.addingTimeInterval(Double(request.days) * 86_400), rows: rows,
                                      publishedBy: actor.user.displayName)
        let organization = try await OrgUnit.find(campaign.$orgUnit.id, on: db)?.name ?? ""
        publication.issuer = issuer ?? Publication.defaultIssuer(organization)
        publication.contact = contact.isEmpty ? nil : contact
        publication.objectionText = objectionText ?? Publication.defaultObjectionText(issuer: publication.issuer!)
        try await db.writeTransaction { db in
            let from = try await lockedPhase(of: campaign.requireID(), on: db)
            if from == .published {
                try await ballotBoxFacts(of: campaign.requireID(), on: db).checkPublishable()
            } else {
                try await changePhase(of: campaign, to: .published, on: db)
                try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "campaign.status",
                                      summary: "活动状态：\(from.label) → \(CampaignPhase.published.label)（发布结果）",
                                      before: ["status": from.rawValue], after: ["status": CampaignPhase.published.rawValue])
            }
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "results.publish",
                                  summary: "发布结果公示“\(title)”：\(rows.count) 人，公示 \(request.days) 天", after: rows)
            let head = try await auditHead(on: db)
            publication.auditSeq = head.seq
            publication.auditHash = head.hash
            try await publication.save(on: db)
        }
        return publication
    }

    /// 撤回公示: the notice leaves the public pages at once; the record stays.
    static func withdraw(_ publication: Publication, in campaign: Campaign, by actor: Actor, on db: any Database) async throws -> Publication {
        try campaign.require({ !$0.isReadOnly }, "公示")
        guard publication.withdrawnAt == nil else { throw APIError.conflict("该公示已撤回") }
        publication.withdrawnAt = Date()
        try await db.writeTransaction { db in
            try await publication.save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "results.withdraw",
                                  summary: "撤回结果公示“\(publication.title)”")
        }
        return publication
    }

    /// 考核分项权重, by component id; checked by `AssessmentRules.validate`.
    static func replaceAssessmentWeights(_ weights: [String: Double], of campaign: Campaign, by actor: Actor,
                                         on db: any Database) async throws -> Campaign {
        let rules = AssessmentRules(rawWeights: weights)
        try rules.validate()
        let before = campaign.assessmentRules
        campaign.storedAssessmentRules = rules
        try await db.writeTransaction { db in
            try await campaign.requireLocked({ !$0.isReadOnly }, "考核权重", on: db)
            try await campaign.save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "assessment.weights",
                                  summary: "修改考核分项权重", before: before, after: rules)
        }
        return campaign
    }

    /// 考核录入: one secretary's entered scores and 一票否决, once the ballot is counted; audited with before and after.
    static func enterAssessment(_ request: AssessmentEntryRequest, for reportee: Reportee, in campaign: Campaign, by actor: Actor,
                                on db: any Database) async throws {
        let reporteeID = try reportee.requireID()
        let entry = AssessmentEntry(rawScores: request.scores, veto: try request.veto.map { try requireText($0, "一票否决理由", max: 500) })
        try entry.validate(reportsOnSite: reportee.mode == .onsite)
        _ = try await requireReport(campaign, on: db)
        let campaignID = try campaign.requireID()
        try await db.writeTransaction { db in
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
    }

    /// An export of the results leaves a trace in the audit log (`format`: CSV or XLSX); answers the report exported.
    static func exportResults(of campaign: Campaign, format: String, by actor: Actor, on db: any Database) async throws -> CampaignReport {
        let report = try await requireReport(campaign, on: db)
        try await db.writeTransaction { db in
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "results.export",
                                  summary: "导出评议结果（\(format)）")
        }
        return report
    }
}
