import Fluent
import Foundation
import PingyiCore
import Vapor

/// 整改台账 as XLSX: the ledger in the department's columns, and every item's history on a second sheet.
extension RectificationController {
    func bootExports(_ api: any RoutesBuilder) {
        api.get("rectification.xlsx", use: exportLedger).requiring(.admins)
    }

    @Sendable
    func exportLedger(req: Request) async throws -> Response {
        let actor = try await req.actor()
        let data = try await LedgerView.workbook(for: actor, filter: try LedgerFilter(req), on: req.db)
        return download(data, name: "整改台账\(CalendarDay.day(Date())).xlsx",
                        type: HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    }
}
