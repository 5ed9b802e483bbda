import Fluent
import SQLKit

/// 票箱: rounds, voting codes (hashes only), ballots and receipts. Ballots and receipts carry no time, no person and
/// no link to a code; on SQLite they are WITHOUT ROWID tables keyed by random values, so not even the storage order
/// follows arrival.
struct CreateBallotBox: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(BallotRound.schema)
            .id()
            .field("campaign_id", .uuid, .required, .references(Campaign.schema, .id, onDelete: .cascade))
            .field("number", .int, .required)
            .field("state", .string, .required)
            .field("layout", .json, .required)
            .field("issued_codes", .int, .required)
            .field("issued_sheets", .int, .required)
            .field("extra_sheets", .int, .required)
            .field("opened_at", .datetime, .required)
            .field("sealed_at", .datetime)
            .field("counted_at", .datetime)
            .field("reconciliation", .string)
            .unique(on: "campaign_id", "number")
            .create()
        try await database.schema(BallotCode.schema)
            .id()
            .field("round_id", .uuid, .required, .references(BallotRound.schema, .id, onDelete: .cascade))
            .field("rater_group_id", .uuid, .required)
            .field("code_hash", .string, .required)
            .field("used", .bool, .required)
            .field("submission_hash", .string)
            .unique(on: "code_hash")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        if sql.dialect.name == "sqlite" {
            try await sql.raw("""
                CREATE TABLE "ballots" ("id" BLOB PRIMARY KEY NOT NULL, "round_id" BLOB NOT NULL REFERENCES "ballot_rounds" ("id") ON DELETE CASCADE,
                "rater_group_id" BLOB NOT NULL, "medium" TEXT NOT NULL, "is_void" INTEGER NOT NULL, "marks" TEXT NOT NULL) WITHOUT ROWID
                """).run()
            try await sql.raw("""
                CREATE TABLE "ballot_receipts" ("receipt" TEXT PRIMARY KEY NOT NULL,
                "round_id" BLOB NOT NULL REFERENCES "ballot_rounds" ("id") ON DELETE CASCADE) WITHOUT ROWID
                """).run()
        } else {
            try await database.schema(Ballot.schema)
                .id()
                .field("round_id", .uuid, .required, .references(BallotRound.schema, .id, onDelete: .cascade))
                .field("rater_group_id", .uuid, .required)
                .field("medium", .string, .required)
                .field("is_void", .bool, .required)
                .field("marks", .string, .required)
                .create()
            try await database.schema(BallotReceipt.schema)
                .field("receipt", .string, .identifier(auto: false))
                .field("round_id", .uuid, .required, .references(BallotRound.schema, .id, onDelete: .cascade))
                .create()
        }
        try await sql.create(index: "ballots_round").on(Ballot.schema).column("round_id").run()
        try await sql.create(index: "ballot_codes_round").on(BallotCode.schema).column("round_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(BallotReceipt.schema).delete()
        try await database.schema(Ballot.schema).delete()
        try await database.schema(BallotCode.schema).delete()
        try await database.schema(BallotRound.schema).delete()
    }
}
