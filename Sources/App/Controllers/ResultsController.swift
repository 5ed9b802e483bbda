import Fluent
import Foundation
import PingyiCore
import Vapor

/// 计票结果: admins of the campaign see the full count once a round has been counted; nobody sees partial results
/// while a round is open. A secretary sees their own sheet once the campaign's results are published.
/// Assessment, publication and exports are in the `ResultsController+…` files.
struct ResultsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes.apiV1()
        let campaign = api.grouped("campaigns", ":campaignID")
        campaign.get("results", use: results).requiring(.manage)
        // A result sheet: the campaign's admins, or its own secretary once published (`Actor.mayReadResult(of:in:)`).
        campaign.get("results", ":reporteeID", use: sheet).requiring(.view)
        campaign.get("results", ":reporteeID", "charts", ":chart", use: chart).requiring(.view)
        campaign.get("results", ":reporteeID", "history", use: history).requiring(.view)
        api.get("me", "results", use: myResults).requiring(.account)
        api.get("overview", use: overview).requiring(.admins)
        bootAssessment(campaign)
        bootPublications(api, campaign)
        bootExports(campaign)
    }

    @Sendable
    func results(req: Request) async throws -> ResultsDTO {
        let (actor, campaign) = try await req.campaign()
        return try await requireReport(campaign, on: req.db).dto
    }

    /// 个人评议结果表: one secretary's one-page sheet.
    @Sendable
    func sheet(req: Request) async throws -> ResultSheetDTO {
        let (_, report, result) = try await sheetAccess(req)
        return ResultSheetDTO(report, result)
    }

    /// SVG charts of a sheet: `grades` (each form's overall column) and `groups` (rater groups on the composite form).
    @Sendable
    func chart(req: Request) async throws -> Response {
        let (_, report, result) = try await sheetAccess(req)
        let svg: String
        switch req.parameters.get("chart") {
        case "grades":
            svg = ResultChart.distribution(title: "各评议表总体评价等次分布",
                                           rows: result.forms.map { ResultChart.Row($0.form.name, $0.overall?.counts ?? .zero) })
        case "groups":
            svg = ResultChart.distribution(title: "各类评议人总体评价（各表合计）", rows: report.groups.map { group in
                ResultChart.Row(group.name, result.forms.reduce(GradeCounts.zero) { $0 + ($1.overall?.byGroup[group.key] ?? .zero) })
            })
        default:
            throw APIError.notFound("图表")
        }
        return svgResponse(svg)
    }

    /// 历年结果: the same secretary in other campaigns the reader may see (matched by account, else by name and unit).
    @Sendable
    func history(req: Request) async throws -> [HistoryEntryDTO] {
        let (actor, report, result) = try await sheetAccess(req)
        guard let person = report.reportee(result.reportee) else { throw APIError.notFound("述职对象") }
        return try await History.of(person, for: actor, on: req.db)
    }

    /// A secretary's own results: every campaign they report in, with whether the sheet is open to them.
    @Sendable
    func myResults(req: Request) async throws -> [MyResultDTO] {
        let actor = try await req.actor()
        return try await History.mine(for: actor, on: req.db)
    }

    /// 三级总览: every campaign in the admin's scope with its summary, so a district sees its towns side by side.
    @Sendable
    func overview(req: Request) async throws -> [CampaignOverviewDTO] {
        let actor = try await req.actor()
        return try await CampaignReport.overview(for: actor, on: req.db)
    }

    /// The sheet of `reporteeID` in `campaignID`, for its admins, or for the secretary once results are published.
    func sheetAccess(_ req: Request) async throws -> (Actor, CampaignReport, ReporteeResult) {
        let (actor, campaign) = try await req.campaign()
        let reportee = try await req.child(Reportee.self, "reporteeID", of: campaign, "述职对象")
        let (report, result) = try await CampaignReport.sheet(of: reportee, in: campaign, for: actor, on: req.db)
        return (actor, report, result)
    }
}
