import Fluent
import PingyiCore
import Vapor

/// 述职对象 of a campaign, and their written reports (书面述职材料). The work is `CampaignPeople`'s.
extension CampaignController {
    func bootReportees(_ campaign: any RoutesBuilder) {
        let reportees = campaign.grouped("reportees")
        reportees.post(use: createReportee).requiring(.manage)
        reportees.on(.POST, "import", body: .collect(maxSize: "5mb"), use: importReportees).requiring(.manage)
        reportees.patch(":reporteeID", use: updateReportee).requiring(.manage)
        reportees.delete(":reporteeID", use: deleteReportee).requiring(.manage)
        // The report: read by everyone who sees the campaign; changed by its admins or the secretary it belongs to.
        reportees.on(.PUT, ":reporteeID", "report", body: .collect(maxSize: ByteCount(value: ReportFile.maxBytes + 1024)), use: uploadReport)
            .requiring(.view)
        reportees.get(":reporteeID", "report", use: downloadReport).requiring(.view)
        reportees.delete(":reporteeID", "report", use: deleteReport).requiring(.view)
    }

    @Sendable
    func createReportee(req: Request) async throws -> Response {
        let (actor, campaign) = try await req.campaign(allowing: \.allowsSetupChanges, "述职对象")
        let body = try req.content.decode(ReporteeCreateRequest.self)
        _ = try await CampaignPeople.addReportee(body, to: campaign, by: actor, on: req.db)
        return try created(try await campaignDetail(campaign, for: actor, on: req.db))
    }

    /// 述职对象名单 from CSV (UTF-8 or GBK) or XLSX; any error imports nothing and names each line.
    @Sendable
    func importReportees(req: Request) async throws -> Response {
        let (actor, campaign) = try await req.campaign(allowing: \.allowsSetupChanges, "述职对象")
        let file = Data(buffer: req.body.data ?? ByteBuffer())
        let count = try await CampaignPeople.importReportees(file, into: campaign, by: actor, on: req.db)
        return try created(ImportResultDTO(imported: count))
    }

    @Sendable
    func updateReportee(req: Request) async throws -> CampaignDetailDTO {
        let (actor, campaign) = try await req.campaign()
        let body = try req.content.decode(ReporteeUpdateRequest.self)
        let reportee = try await req.child(Reportee.self, "reporteeID", of: campaign, "述职对象")
        try await CampaignPeople.updateReportee(reportee, with: body, in: campaign, by: actor, on: req.db)
        return try await campaignDetail(campaign, for: actor, on: req.db)
    }

    @Sendable
    func deleteReportee(req: Request) async throws -> CampaignDetailDTO {
        let (actor, campaign) = try await req.campaign(allowing: \.allowsSetupChanges, "述职对象")
        let reportee = try await req.child(Reportee.self, "reporteeID", of: campaign, "述职对象")
        try await CampaignPeople.deleteReportee(reportee, of: campaign, by: actor, on: req.db)
        return try await campaignDetail(campaign, for: actor, on: req.db)
    }

    /// Uploads or replaces a reportee's written report. Admins in scope, or the secretary's own account.
    @Sendable
    func uploadReport(req: Request) async throws -> ReportInfoDTO {
        let (actor, campaign, reportee) = try await reportTarget(req, changing: true)
        let (data, file) = try ReportFile.upload(req)
        return try await CampaignPeople.uploadReport(data, file, of: reportee, in: campaign, by: actor, on: req.db)
    }

    @Sendable
    func downloadReport(req: Request) async throws -> Response {
        let (_, _, reportee) = try await reportTarget(req, changing: false)
        guard let document = try await CampaignRoster.report(of: reportee, on: req.db) else { throw APIError.notFound("述职材料") }
        return reportResponse(document)
    }

    @Sendable
    func deleteReport(req: Request) async throws -> HTTPStatus {
        let (actor, campaign, reportee) = try await reportTarget(req, changing: true)
        try await CampaignPeople.deleteReport(of: reportee, in: campaign, by: actor, on: req.db)
        return .noContent
    }

    /// The account, campaign and reportee of a report request. Changing the report needs `Actor.mayChangeReport(of:in:)`
    /// and a phase that allows it.
    func reportTarget(_ req: Request, changing: Bool) async throws -> (Actor, Campaign, Reportee) {
        let (actor, campaign) = try await req.campaign()
        let reportee = try await req.child(Reportee.self, "reporteeID", of: campaign, "述职对象")
        if changing {
            guard actor.mayChangeReport(of: reportee, in: campaign) else { throw APIError.forbidden }
            try campaign.require(\.allowsReportChanges, "述职材料")
        }
        return (actor, campaign, reportee)
    }
}
