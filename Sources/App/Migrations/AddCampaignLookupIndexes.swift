import Fluent
import SQLKit

/// An index on `campaign_id` for the tables read one campaign at a time. PostgreSQL does not index a foreign key by
/// itself: with ten years of campaigns (150,000 participants) the live screens' attendance count scanned the whole
/// table, 8 ms a read and most of the database's time in `bench/run district`.
struct AddCampaignLookupIndexes: AsyncMigration {
    static let tables = [
        Participant.schema, Reportee.schema, Speech.schema, AssessmentRecord.schema, Publication.schema,
        AuditEntry.schema, RectificationItem.schema,
    ]

    static func indexName(_ table: String) -> String { "\(table)_campaign" }

    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        for table in Self.tables {
            try await sql.create(index: SQLIdentifier(Self.indexName(table))).on(table).column("campaign_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        for table in Self.tables {
            try await sql.drop(index: SQLIdentifier(Self.indexName(table))).run()
        }
    }
}
