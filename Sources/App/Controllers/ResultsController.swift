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
        let actor = try await req.actor()
        let campaign = try await findCampaign(req.parameters.get("campaignID"), for: actor, .manage, on: req.db)
        return try await requireReport(campaign, on: req.db).dto
    }

    /// 个人评议结果表: one secretary's one-page sheet.
    @Sendable
    func sheet(req: Request) async throws -> ResultSheetDTO {
        let (report, result) = try await sheetAccess(req)
        return ResultSheetDTO(report, result)
    }

    /// SVG charts of a sheet: `grades` (each form's overall column) and `groups` (rater groups on the composite form).
    @Sendable
    func chart(req: Request) async throws -> Response {
        let (report, result) = try await sheetAccess(req)
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
        let response = Response(status: .ok, body: .init(string: svg))
        response.headers.contentType = HTTPMediaType(type: "image", subType: "svg+xml", parameters: ["charset": "utf-8"])
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    /// 历年结果: the same secretary in other campaigns the reader may see (matched by account, else by name and unit).
    @Sendable
    func history(req: Request) async throws -> [HistoryEntryDTO] {
        let actor = try await req.actor()
        let (report, result) = try await sheetAccess(req)
        guard let person = report.reportee(result.reportee) else { throw APIError.notFound("述职对象") }
        return try await reporteeHistory(of: person, for: actor, on: req.db)
    }

    /// A secretary's own results: every campaign they report in, with whether the sheet is open to them.
    @Sendable
    func myResults(req: Request) async throws -> [MyResultDTO] {
        let actor = try await req.actor()
        let mine = try await Reportee.query(on: req.db).filter(\.$user.$id == actor.id).with(\.$campaign).all()
        return mine.sorted { ($0.campaign.year, $0.campaign.title) > ($1.campaign.year, $1.campaign.title) }.map { reportee in
            MyResultDTO(campaignID: reportee.$campaign.id, campaignTitle: reportee.campaign.title, year: reportee.campaign.year,
                        reporteeID: reportee.id!, published: reportee.campaign.status.resultsArePublished)
        }
    }

    /// 三级总览: every campaign in the admin's scope with its summary, so a district sees its towns side by side.
    @Sendable
    func overview(req: Request) async throws -> [CampaignOverviewDTO] {
        let actor = try await req.actor()
        guard actor.isAdmin else { throw APIError.forbidden }
        var rows: [CampaignOverviewDTO] = []
        for campaign in try await visibleCampaigns(for: actor, on: req.db) {
            let unit = try await OrgUnit.find(campaign.$orgUnit.id, on: req.db)
            let report = try await campaignReport(campaign, on: req.db)
            let reportees = try await Reportee.query(on: req.db).filter(\.$campaign.$id == campaign.requireID()).count()
            rows.append(CampaignOverviewDTO(campaign, unitName: unit?.name ?? "", reportees: reportees, report: report))
        }
        return rows
    }

    /// The sheet of `reporteeID` in `campaignID`, for its admins, or for the secretary once results are published.
    func sheetAccess(_ req: Request) async throws -> (CampaignReport, ReporteeResult) {
        let actor = try await req.actor()
        let campaign = try await findCampaign(req.parameters.get("campaignID"), for: actor, .view, on: req.db)
        guard let raw = req.parameters.get("reporteeID"), let reporteeID = UUID(uuidString: raw),
              let reportee = try await Reportee.find(reporteeID, on: req.db), reportee.$campaign.id == campaign.id else {
            throw APIError.notFound("述职对象")
        }
        if !actor.manages(campaign) {
            guard actor.role == .reportee, reportee.$user.id == actor.id else { throw APIError.forbidden }
            guard campaign.status.resultsArePublished else { throw APIError(.forbidden, "forbidden", "评议结果尚未发布") }
        }
        let report = try await requireReport(campaign, on: req.db)
        guard let result = report.result(reporteeID.uuidString) else { throw APIError.notFound("述职对象的结果") }
        return (report, result)
    }
}

func requireReport(_ campaign: Campaign, on db: any Database) async throws -> CampaignReport {
    guard let report = try await campaignReport(campaign, on: db) else { throw APIError.conflict("尚未计票：请先封箱并计票") }
    return report
}

extension CampaignPhase {
    /// A secretary may read their own sheet from publication on.
    var resultsArePublished: Bool { self == .published || self == .archived }
}

/// The same secretary across campaigns: by account when both have one, otherwise by name and unit.
func reporteeHistory(of person: Reportee, for actor: Actor, on db: any Database) async throws -> [HistoryEntryDTO] {
    var candidates = try await Reportee.query(on: db).filter(\.$name == person.name).with(\.$campaign).all()
    if let user = person.$user.id {
        candidates += try await Reportee.query(on: db).filter(\.$user.$id == user).filter(\.$name != person.name).with(\.$campaign).all()
    }
    var entries: [HistoryEntryDTO] = []
    for other in candidates {
        let sameAccount = person.$user.id != nil && other.$user.id == person.$user.id
        let sameUnit = other.name == person.name && (other.$orgUnit.id != nil && other.$orgUnit.id == person.$orgUnit.id
            || other.unitName == person.unitName)
        guard sameAccount || sameUnit else { continue }
        let campaign = other.campaign
        let readable = actor.manages(campaign) || (actor.role == .reportee && other.$user.id == actor.id && campaign.status.resultsArePublished)
        guard readable, let report = try await campaignReport(campaign, on: db), let result = report.result(other.id!.uuidString) else { continue }
        let outcome = report.outcomes[result.reportee]
        entries.append(HistoryEntryDTO(
            campaignID: campaign.id!, campaignTitle: campaign.title, year: campaign.year, reporteeID: other.id!,
            unitName: other.unitName, composite: result.composite, goodRate: result.goodRate, rank: result.rank,
            rankedCount: report.computed.results.filter { $0.rank != nil }.count, grade: result.grade?.label,
            finalGrade: outcome?.grade?.label))
    }
    return entries.sorted { ($0.year, $0.campaignTitle) < ($1.year, $1.campaignTitle) }
}
