import Fluent
import Foundation
import NIOCore
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
        let items = try await visibleItems(for: actor, filter: LedgerFilter(), on: req.db)
        return try await remindersDTO(items, for: actor, on: req.db, now: Date())
    }

    /// Closed items marked for publicity, newest first. Public.
    @Sendable
    func publicClosedItems(req: Request) async throws -> [PublicRectificationDTO] {
        let items = try await RectificationItem.query(on: req.db).filter(\.$state == .closed).filter(\.$publishWhenClosed == true)
            .sort(\.$closedAt, .descending).range(..<500).all()
        return items.map {
            PublicRectificationDTO(unit: $0.responsibleUnit, category: $0.category, problem: $0.problem, plan: $0.plan, feedback: $0.feedback,
                                   closedOn: $0.closedAt.map(CalendarDay.day) ?? "")
        }
    }
}

func remindersDTO(_ items: [RectificationItem], for actor: Actor, on db: any Database, now: Date) async throws -> RemindersDTO {
    let names = try await unitNames(on: db)
    let units = reminders(items.map { ReminderItem(unit: names[$0.orgUnitID] ?? $0.responsibleUnit, status: $0.status) }, at: now)
    let due = items.filter { $0.status.isOverdue(at: now) || $0.status.isDueSoon(at: now) }.sorted { $0.deadline < $1.deadline }
    return RemindersDTO(units: units.map { ReminderDTO(unit: $0.unit, dueSoon: $0.dueSoon, overdue: $0.overdue) },
                        items: try await itemDTOs(due, for: actor, on: db))
}

/// The daily check over the whole ledger: due within 7 days and overdue, per unit, as lines for the log or a terminal.
func reminderReport(on db: any Database, now: Date) async throws -> [String] {
    let names = try await unitNames(on: db)
    let items = try await RectificationItem.query(on: db).filter(\.$state != .closed).all()
    let units = reminders(items.map { ReminderItem(unit: names[$0.orgUnitID] ?? $0.responsibleUnit, status: $0.status) }, at: now)
    let overdue = units.reduce(0) { $0 + $1.overdue }, soon = units.reduce(0) { $0 + $1.dueSoon }
    return ["整改提醒 \(CalendarDay.day(now))：逾期 \(overdue) 项，7 天内到期 \(soon) 项（共 \(units.count) 个单位）"]
        + units.map { "  \($0.unit)：逾期 \($0.overdue) 项，7 天内到期 \($0.dueSoon) 项" }
}

/// Runs `reminderReport` once a day while the server runs (first a minute after start) and logs it, so the department
/// sees the overdue items in the server log as well as on each user's home page.
struct ReminderSchedule: LifecycleHandler {
    func didBootAsync(_ application: Application) async throws {
        let logger = application.logger
        let db = application.db
        application.storage[ReminderTaskKey.self] = application.eventLoopGroup.next().scheduleRepeatedAsyncTask(
            initialDelay: .seconds(60), delay: .hours(24)
        ) { _ in
            application.eventLoopGroup.next().makeFutureWithTask {
                do {
                    for line in try await reminderReport(on: db, now: Date()) { logger.notice("\(line)") }
                } catch {
                    logger.warning("整改提醒检查失败：\(String(describing: error).prefix(200))")
                }
            }
        }
    }

    func shutdown(_ application: Application) {
        application.storage[ReminderTaskKey.self]?.cancel()
    }
}

struct ReminderTaskKey: StorageKey {
    typealias Value = RepeatedTask
}
