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

/// Reads behind the 会议通知, 会议纪要, 整改通知书 and 整改台账 (issue 24).
extension OfficialPapers {
    /// Time, place, what to bring and contact: as given, else what a clerk fills in by hand (待定, the usual materials,
    /// the issuer).
    static func noticeDetails(_ query: MeetingNoticeQuery, heading: DocumentHeading) -> MeetingNoticeDetails {
        MeetingNoticeDetails(time: query.time ?? "（时间另行通知）", place: query.place ?? "（地点另行通知）",
                             bring: query.bring ?? "签到卡；述职对象另带述职报告纸质稿",
                             contact: query.contact ?? "\(heading.issuer)（联系人、联系电话另行通知）")
    }

    /// The people a 会议通知 calls: the agenda, the reportees (on-site in order, written) and every participant with
    /// their role and rater group, in the participants API's order.
    static func meetingNoticeFacts(of campaign: Campaign, on db: any Database) async throws -> MeetingNoticeFacts {
        let id = try campaign.requireID()
        let meeting = try await Meeting.query(on: db).filter(\.$campaign.$id == id).first()
        let reportees = try await Reportee.query(on: db).filter(\.$campaign.$id == id).sort(\.$position).all()
        let groups = try await RaterGroup.query(on: db).filter(\.$campaign.$id == id).all()
        let groupNames = Dictionary(uniqueKeysWithValues: groups.compactMap { group in group.id.map { ($0, group.name) } })
        let participants = try await Participant.query(on: db).filter(\.$campaign.$id == id).sort(\.$position).all()
        return MeetingNoticeFacts(
            title: campaign.title, agenda: meeting?.agenda ?? AgendaItem.seedAgenda,
            onsite: reportees.filter { $0.mode == .onsite }.map { "\($0.unitName)\($0.name)" },
            written: reportees.filter { $0.mode == .written }.map { "\($0.unitName)\($0.name)" },
            participants: participants.map { p in
                MeetingNoticeFacts.Person(name: p.name, unitName: p.unitName, role: p.role,
                                          raterGroup: p.$raterGroup.id.flatMap { groupNames[$0] })
            })
    }

    /// The printed minutes' read model, from the meeting phase on (in 筹备 there is nothing to minute: 409).
    static func requireMinutes(of campaign: Campaign, on db: any Database) async throws -> MinutesDTO {
        guard campaign.status != .preparing else { throw APIError.conflict("会议尚未开始，还没有可写入会议纪要的内容") }
        return try await minutesOf(campaign, on: db)
    }

    /// The campaign's ledger items the actor sees, as the ledger API gives them (`GET /rectification?campaign=`),
    /// in the ledger's order and by 责任单位; none (or none for `unit`): 409 (`LedgerRules.documentUnits`).
    static func ledgerUnits(of campaign: Campaign, unit: String?, for actor: Actor,
                            on db: any Database) async throws -> LedgerPapers {
        var filter = LedgerFilter()
        filter.campaign = try campaign.requireID()
        let items = try await itemDTOs(try await visibleItems(for: actor, filter: filter, on: db), for: actor, on: db)
        let wanted = unit.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        let units = try LedgerRules.documentUnits(items, unit: wanted, responsibleUnit: \.responsibleUnit)
        return LedgerPapers(items: wanted == nil ? items : units.flatMap(\.items), units: units)
    }
}
