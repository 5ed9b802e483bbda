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
        var report: CampaignReport?
        let heading = try await makeDocument(what, heading: query, of: campaign, by: actor, on: db) {
            report = try await requireReport(campaign, on: db)
        }
        return (heading, report!)
    }

    /// A document that needs no count (会议通知, 会议纪要, 整改通知书, 整改台账): the heading checked first (400/422),
    /// then `require` (what the document needs: a started meeting, ledger items; its refusal is the answer), then the
    /// audit entry and the heading remembered in one write transaction.
    static func makeDocument(_ what: String, heading query: DocumentHeadingQuery, of campaign: Campaign, by actor: Actor,
                             on db: any Database, require: () async throws -> Void = {}) async throws -> DocumentHeading {
        let query = try query.cleaned()
        let id = try campaign.requireID()
        let unit = try await OrgUnit.find(campaign.$orgUnit.id, on: db)?.name ?? ""
        let remembered = try await DocumentHeadingRecord.query(on: db).filter(\.$campaignID == id).first()
        let heading = try OfficialPapers.heading(query, remembered: remembered, for: campaign, unit: unit)
        try await require()
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
        return heading
    }

    /// 会议通知 (from 筹备 on): the heading, the details given (400/422 first), who is called.
    static func meetingNotice(heading query: DocumentHeadingQuery, details: MeetingNoticeQuery, of campaign: Campaign,
                              by actor: Actor, on db: any Database) async throws -> (DocumentHeading, MeetingNoticeDetails, MeetingNoticeFacts) {
        let details = try details.cleaned()
        var facts: MeetingNoticeFacts?
        let heading = try await makeDocument("会议通知", heading: query, of: campaign, by: actor, on: db) {
            facts = try await OfficialPapers.meetingNoticeFacts(of: campaign, on: db)
        }
        return (heading, OfficialPapers.noticeDetails(details, heading: heading), facts!)
    }

    /// 会议纪要: the printed minutes' read model, once the meeting has started (409 before).
    static func minutes(heading query: DocumentHeadingQuery, of campaign: Campaign, by actor: Actor,
                        on db: any Database) async throws -> (DocumentHeading, MinutesDTO) {
        var minutes: MinutesDTO?
        let heading = try await makeDocument("会议纪要", heading: query, of: campaign, by: actor, on: db) {
            minutes = try await OfficialPapers.requireMinutes(of: campaign, on: db)
        }
        return (heading, minutes!)
    }

    /// 整改通知书 and 整改台账: the campaign's ledger items by 责任单位 (409 when there are none).
    static func ledger(_ what: String, heading query: DocumentHeadingQuery, unit: String?, of campaign: Campaign, by actor: Actor,
                       on db: any Database) async throws -> (DocumentHeading, LedgerPapers) {
        var papers: LedgerPapers?
        let heading = try await makeDocument(what, heading: query, of: campaign, by: actor, on: db) {
            papers = try await OfficialPapers.ledgerUnits(of: campaign, unit: unit, for: actor, on: db)
        }
        return (heading, papers!)
    }
}
