import Fluent
import Foundation
import PingyiCore

/// 公文 (issue 24): the heading of a document being made. What the clerk sets is remembered for the campaign's next
/// document (`DocumentHeadingRecord`).
enum Documents {
    static func heading(_ query: DocumentHeadingQuery, for campaign: Campaign, on db: any Database) async throws -> DocumentHeading {
        let query = try query.cleaned()
        let id = try campaign.requireID()
        let unit = try await OrgUnit.find(campaign.$orgUnit.id, on: db)?.name ?? ""
        let remembered = try await DocumentHeadingRecord.query(on: db).filter(\.$campaignID == id).first()
        let heading = try OfficialPapers.heading(query, remembered: remembered, for: campaign, unit: unit)
        guard query.issuer != nil || query.number != nil || query.recipients != nil || query.copyTo != nil || query.date != nil else {
            return heading
        }
        try await db.writeTransaction { db in
            let record = try await DocumentHeadingRecord.query(on: db).filter(\.$campaignID == id).first() ?? DocumentHeadingRecord(campaignID: id)
            if let issuer = query.issuer { record.issuer = issuer }
            if let number = query.number { record.number = number }
            if let recipients = query.recipients { record.recipients = recipients }
            if let copyTo = query.copyTo { record.copyTo = copyTo }
            if let date = query.date { record.date = date }
            try await record.save(on: db)
        }
        return heading
    }
}
