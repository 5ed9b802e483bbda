import Fluent
import Foundation
import PingyiCore

/// 公文 (issue 24): what making a document writes. The 版头 the clerk sets is remembered for the campaign's next
/// document (`DocumentHeadingRecord`), and every download is audited like the XLSX/CSV exports (`results.export`).
enum Documents {
    /// The heading and the counted report a document is made from: the heading checked first (400/422), then the count
    /// required (409), then in one write transaction the audit entry and the heading remembered.
    static func makeDocument(_ what: String, heading query: DocumentHeadingQuery, of campaign: Campaign, by actor: Actor,
                             on db: any Database) async throws -> (heading: DocumentHeading, report: CampaignReport) {
        let query = try query.cleaned()
        let id = try campaign.requireID()
        let unit = try await OrgUnit.find(campaign.$orgUnit.id, on: db)?.name ?? ""
        let remembered = try await DocumentHeadingRecord.query(on: db).filter(\.$campaignID == id).first()
        let heading = try OfficialPapers.heading(query, remembered: remembered, for: campaign, unit: unit)
        let report = try await requireReport(campaign, on: db)
        try await db.writeTransaction { db in
            try await recordAudit(on: db, actor: actor, campaignID: id, action: "results.export",
                                  summary: "导出评议结果（DOCX·\(what)）")
            guard !query.isEmpty else { return }
            let record = try await DocumentHeadingRecord.query(on: db).filter(\.$campaignID == id).first()
                ?? DocumentHeadingRecord(campaignID: id)
            if let issuer = query.issuer { record.issuer = issuer }
            if let number = query.number { record.number = number }
            if let recipients = query.recipients { record.recipients = recipients }
            if let copyTo = query.copyTo { record.copyTo = copyTo }
            if let date = query.date { record.date = date }
            try await record.save(on: db)
        }
        return (heading, report)
    }
}
