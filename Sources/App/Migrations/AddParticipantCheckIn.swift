import Fluent
import SQLKit

/// 签到: when a participant checked in, and the personal code on their check-in card (typed or scanned).
struct AddParticipantCheckIn: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Participant.schema).field("checked_in_at", .datetime).update()
        try await database.schema(Participant.schema).field("check_in_code", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Participant.schema).deleteField("check_in_code").update()
        try await database.schema(Participant.schema).deleteField("checked_in_at").update()
    }
}
