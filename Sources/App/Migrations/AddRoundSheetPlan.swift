import Fluent

/// How many paper forms each rater group was given in a round. Printed forms carry no per-sheet number (forms lie
/// on named desks before the meeting), so the plan per group replaces the numbered sheets made at opening.
struct AddRoundSheetPlan: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(BallotRound.schema).field("sheet_plan", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(BallotRound.schema).deleteField("sheet_plan").update()
    }
}
