import Fluent
import Vapor

/// 述职材料 for participants: a page behind an unguessable link (printed or projected as a QR code) listing the
/// reports, open only while the admin keeps it open and the campaign is not archived.
struct MaterialsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("m", ":token", use: page)
        routes.get("m", ":token", "reports", ":reporteeID", use: download)
    }

    struct MaterialsContext: Encodable {
        struct Item: Encodable {
            var position: Int
            var name: String
            var unitName: String
            var modeLabel: String
            var url: String?
            var fileName: String?
            var size: String?
            var sha256: String?
        }
        var title: String
        var items: [Item]
    }

    @Sendable
    func page(req: Request) async throws -> View {
        let campaign = try await Materials.openCampaign(token: req.parameters.get("token"), on: req.db)
        let (reportees, reports) = try await Materials.reports(of: campaign, on: req.db)
        let token = req.parameters.get("token")!
        let items = reportees.map { reportee in
            let report = reports[reportee.id!]
            return MaterialsContext.Item(
                position: reportee.position, name: reportee.name, unitName: reportee.unitName, modeLabel: reportee.mode.label,
                url: report.map { _ in "/m/\(token)/reports/\(reportee.id!.uuidString)" }, fileName: report?.fileName,
                size: report.map { formatBytes($0.byteCount) }, sha256: report.map { String($0.sha256.prefix(16)) })
        }
        return try await req.view.render("materials", MaterialsContext(title: campaign.title, items: items))
    }

    @Sendable
    func download(req: Request) async throws -> Response {
        let campaign = try await Materials.openCampaign(token: req.parameters.get("token"), on: req.db)
        let reportee = try await req.child(Reportee.self, "reporteeID", of: campaign, "述职材料")
        guard let document = try await CampaignRoster.report(of: reportee, on: req.db) else { throw APIError.notFound("述职材料") }
        return reportResponse(document)
    }
}

func formatBytes(_ count: Int) -> String {
    count < 1024 * 1024 ? String(format: "%.0f KB", Double(count) / 1024) : String(format: "%.1f MB", Double(count) / 1_048_576)
}
