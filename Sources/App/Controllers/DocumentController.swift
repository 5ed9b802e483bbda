import Foundation
import PingyiCore
import Vapor

/// 公文 (issue 24): the official documents as DOCX in GB/T 9704 layout. The 版头 comes from the query string
/// (`DocumentHeadingQuery`), defaulting to what was last set for the campaign, else its unit + 组织部.
struct DocumentController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let documents = routes.apiV1().grouped("campaigns", ":campaignID", "documents")
        documents.get("results-notice.docx", use: resultsNotice).requiring(.manage)
        documents.get("feedback.docx", use: feedback).requiring(.manage)
        documents.get("feedback", ":reporteeID", use: feedbackOne).requiring(.manage)
        documents.get("meeting-notice.docx", use: meetingNotice).requiring(.manage)
        documents.get("minutes.docx", use: minutes).requiring(.manage)
        documents.get("rectification-notices.docx", use: rectificationNotices).requiring(.manage)
        documents.get("ledger.docx", use: ledger).requiring(.manage)
    }

    static let docx = HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.wordprocessingml.document")

    /// The heading (remembered for the next document) and the counted report, the download audited.
    func making(_ req: Request, _ what: String, in campaign: Campaign, by actor: Actor) async throws -> (DocumentHeading, CampaignReport) {
        try await Documents.makeDocument(what, heading: try req.query.decode(DocumentHeadingQuery.self), of: campaign, by: actor, on: req.db)
    }

    /// 评议结果通报.
    @Sendable
    func resultsNotice(req: Request) async throws -> Response {
        let (actor, campaign) = try await req.campaign()
        let (heading, report) = try await making(req, "评议结果通报", in: campaign, by: actor)
        let data = try DOCXWriter.document(OfficialDocuments.resultsNotice(report, heading: heading))
        return download(data, name: "\(campaign.title)评议结果通报.docx", type: Self.docx)
    }

    /// 个人评议结果反馈意见书: one section per secretary, in rank order.
    @Sendable
    func feedback(req: Request) async throws -> Response {
        let (actor, campaign) = try await req.campaign()
        let (heading, report) = try await making(req, "个人评议结果反馈意见书", in: campaign, by: actor)
        let extras = try await OfficialPapers.feedbackExtras(of: campaign, on: req.db)
        let data = try DOCXWriter.document(OfficialDocuments.feedback(report, results: report.ranked, extras: extras, heading: heading))
        return download(data, name: "\(campaign.title)个人评议结果反馈意见书.docx", type: Self.docx)
    }

    /// One secretary's 反馈意见书.
    @Sendable
    func feedbackOne(req: Request) async throws -> Response {
        let (actor, campaign) = try await req.campaign()
        let reportee = try await req.child(Reportee.self, "reporteeID", of: campaign, "述职对象")
        let (heading, report) = try await making(req, "个人评议结果反馈意见书", in: campaign, by: actor)
        guard let result = report.result(try reportee.requireID().uuidString) else { throw APIError.notFound("述职对象的结果") }
        let extras = try await OfficialPapers.feedbackExtras(of: campaign, on: req.db)
        let data = try DOCXWriter.document(OfficialDocuments.feedback(report, results: [result], extras: extras, heading: heading))
        return download(data, name: "\(reportee.name)个人评议结果反馈意见书.docx", type: Self.docx)
    }

    /// 会议通知 (from 筹备 on), the participants as 附件.
    @Sendable
    func meetingNotice(req: Request) async throws -> Response {
        let (actor, campaign) = try await req.campaign()
        let (heading, details, facts) = try await Documents.meetingNotice(
            heading: try req.query.decode(DocumentHeadingQuery.self), details: try req.query.decode(MeetingNoticeQuery.self),
            of: campaign, by: actor, on: req.db)
        let data = try DOCXWriter.document(MeetingDocuments.notice(facts, details: details, heading: heading))
        return download(data, name: "\(campaign.title)会议通知.docx", type: Self.docx)
    }

    /// 会议纪要 (once the meeting has started).
    @Sendable
    func minutes(req: Request) async throws -> Response {
        let (actor, campaign) = try await req.campaign()
        let (heading, minutes) = try await Documents.minutes(heading: try req.query.decode(DocumentHeadingQuery.self), of: campaign,
                                                             by: actor, on: req.db)
        let data = try DOCXWriter.document(MeetingDocuments.minutes(minutes, heading: heading))
        return download(data, name: "\(campaign.title)会议纪要.docx", type: Self.docx)
    }

    /// 整改通知书: one section per 责任单位, or the one `unit` names.
    @Sendable
    func rectificationNotices(req: Request) async throws -> Response {
        let (actor, campaign) = try await req.campaign()
        let unit = try req.query.decode(LedgerDocumentQuery.self).unit
        let (heading, papers) = try await Documents.ledger("整改通知书", heading: try req.query.decode(DocumentHeadingQuery.self), unit: unit,
                                                           of: campaign, by: actor, on: req.db)
        let units = papers.units
        let data = try DOCXWriter.document(LedgerDocuments.notices(units, campaignTitle: campaign.title, heading: heading))
        return download(data, name: "\(units.count == 1 ? units[0].unit : campaign.title)整改通知书.docx", type: Self.docx)
    }

    /// 整改台账: a landscape table.
    @Sendable
    func ledger(req: Request) async throws -> Response {
        let (actor, campaign) = try await req.campaign()
        let (heading, papers) = try await Documents.ledger("整改台账", heading: try req.query.decode(DocumentHeadingQuery.self), unit: nil,
                                                           of: campaign, by: actor, on: req.db)
        let data = try DOCXWriter.document(LedgerDocuments.ledger(papers.items, campaignTitle: campaign.title, heading: heading))
        return download(data, name: "\(campaign.title)整改台账.docx", type: Self.docx)
    }
}
