import Fluent
import Foundation
import PingyiCore
import Vapor

/// Reads behind the 公文 (issue 24): the heading with the campaign's defaults, and what a 反馈意见书 adds to the
/// figures of `CampaignReport` (the chair's comment, the ledger items opened for the secretary).
enum OfficialPapers {
    /// 发文机关 by default: the campaign's unit + 组织部 (a 区/县/市 as its 委组织部).
    static func defaultIssuer(_ unit: String) -> String {
        if let last = unit.last, "区县市旗州".contains(last) { return unit + "委组织部" }
        return unit + "组织部"
    }

    /// The heading from what the request gives, else what was last given for the campaign, else the defaults.
    static func heading(_ query: DocumentHeadingQuery, remembered: DocumentHeadingRecord?, for campaign: Campaign,
                        unit: String) throws -> DocumentHeading {
        var date = DocumentHeading.chineseDate(Date())
        if let text = query.date ?? remembered?.date {
            date = try chineseDate(text)
        }
        return DocumentHeading(issuer: query.issuer ?? remembered?.issuer ?? defaultIssuer(unit),
                               number: query.number ?? remembered?.number ?? "组通〔\(campaign.year)〕1号",
                               recipients: query.recipients ?? remembered?.recipients ?? "各有关单位党组织",
                               copyTo: query.copyTo ?? remembered?.copyTo ?? "\(unit)纪委监委", date: date)
    }

    /// 2026-12-04 → 2026年12月4日; anything else: 400.
    static func chineseDate(_ text: String) throws -> String {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 3, let year = parts[0], let month = parts[1], let day = parts[2],
              (1900...2999).contains(year), (1...12).contains(month), (1...31).contains(day) else {
            throw APIError.badRequest("成文日期应为 年-月-日，例如 2026-12-04")
        }
        return "\(year)年\(month)月\(day)日"
    }

    /// The chair's comment on each on-site report and the ledger items opened for each secretary, by reportee id.
    static func feedbackExtras(of campaign: Campaign, on db: any Database) async throws -> [String: OfficialDocuments.FeedbackExtras] {
        let id = try campaign.requireID()
        var extras: [String: OfficialDocuments.FeedbackExtras] = [:]
        for speech in try await Speech.query(on: db).filter(\.$campaignID == id).all() {
            extras[speech.$reportee.id.uuidString, default: .init()].comment = speech.comment
        }
        let items = try await RectificationItem.query(on: db).filter(\.$campaignID == id).sort(\.$deadline).all()
        for item in items {
            guard let reportee = item.reporteeID else { continue }
            extras[reportee.uuidString, default: .init()].items.append(
                (problem: item.problem, plan: item.plan, deadline: DocumentHeading.chineseDate(item.deadline)))
        }
        return extras
    }
}
