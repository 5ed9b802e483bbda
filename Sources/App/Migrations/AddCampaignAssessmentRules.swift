import Fluent

/// 考核规则 of a campaign (component weights); `NULL` means the standard weights.
struct AddCampaignAssessmentRules: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Campaign.schema).field("assessment_rules", .json).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Campaign.schema).deleteField("assessment_rules").update()
    }
}
