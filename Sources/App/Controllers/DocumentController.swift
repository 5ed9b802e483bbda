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
}
