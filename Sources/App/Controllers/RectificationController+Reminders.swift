import Fluent
import Foundation
import PingyiCore
import Vapor

/// 到期提醒 and the public notice of closed items (整改成果公示).
extension RectificationController {
    func bootReminders(_ api: any RoutesBuilder, _ ledger: any RoutesBuilder) {
        ledger.get("reminders", use: myReminders).requiring(.account)
        api.get("notices", "rectification", use: publicClosedItems).requiring(.anyone)
    }

    /// The reader's reminders for the home page: their visible items due within 7 days or overdue, and the count per unit.
    @Sendable
    func myReminders(req: Request) async throws -> RemindersDTO {
        let actor = try await req.actor()
        return try await LedgerView.reminders(for: actor, on: req.db)
    }

    /// Closed items marked for publicity, newest first. Public.
    @Sendable
    func publicClosedItems(req: Request) async throws -> [PublicRectificationDTO] {
        try await LedgerView.publicClosedItems(on: req.db)
    }
}
