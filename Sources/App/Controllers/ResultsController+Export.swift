import Fluent
import Foundation
import PingyiCore
import Vapor

/// 导出: the results as XLSX (a summary sheet and one sheet per secretary) and as CSV (the summary, UTF-8 with BOM).
extension ResultsController {
    func bootExports(_ campaign: any RoutesBuilder) {
        campaign.get("results.xlsx", use: exportXLSX).requiring(.manage)
        campaign.get("results.csv", use: exportCSV).requiring(.manage)
    }

    @Sendable
    func exportXLSX(req: Request) async throws -> Response {
        let report = try await exportAccess(req)
        let data = try XLSXWriter.workbook(ResultTables.workbook(report))
        return download(data, name: "\(report.campaign.title)评议结果.xlsx",
                        type: HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    }

    @Sendable
    func exportCSV(req: Request) async throws -> Response {
        let report = try await exportAccess(req)
        let text = CSV.write(ResultTables.summary(report).map { $0.map(\.csvText) })
        return download(Data(text.utf8), name: "\(report.campaign.title)评议结果汇总.csv",
                        type: HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"]))
    }

    func exportAccess(_ req: Request) async throws -> CampaignReport {
        let (actor, campaign) = try await req.campaign()
        return try await Publishing.exportResults(of: campaign, format: req.url.path.hasSuffix(".csv") ? "CSV" : "XLSX", by: actor, on: req.db)
    }
}
