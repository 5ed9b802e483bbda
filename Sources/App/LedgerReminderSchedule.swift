import Fluent
import Foundation
import NIOCore
import Vapor

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
