import Fluent
import Vapor

/// `pingyi reminders`: the daily check of the ledger — items due within 7 days and overdue items, per unit.
struct RemindersCommand: AsyncCommand {
    struct Signature: CommandSignature {
        init() {}
    }

    var help: String { "列出 7 天内到期和已逾期的整改事项（按单位） / List ledger items due within 7 days and overdue, per unit" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await prepareDatabase(app)
        printOut(try await reminderReport(on: app.db, now: Date()))
    }
}
