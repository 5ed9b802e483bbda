import Foundation
import Fluent
import SQLKit

/// Issue 25: a seal touches only its own round. On PostgreSQL codes, ballots and receipts become tables partitioned
/// by round (`BallotPartitions`), every round getting its own partitions, rows copied in content order. On both
/// databases a code's round is found in `ballot_code_rounds` (hash → round, written once at issue), so a lookup reads
/// only its own round's partition, never one that another meeting's seal holds. The partitioned tables have no foreign
/// key to `ballot_rounds`: attaching a partition would then lock the rounds table against every other meeting's seal
/// and count (and two rounds opening at once would deadlock); a round's rows can only go to its own partition, and a
/// round's partitions are dropped with it (`BallotPartitions.dropOrphans`).
struct PartitionBallotBoxByRound: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await database.schema(BallotCodeRound.schema)
            .field("code_hash", .string, .identifier(auto: false))
            .field("round_id", .uuid, .required, .references(BallotRound.schema, .id, onDelete: .cascade))
            .create()
        try await sql.raw("""
            INSERT INTO "ballot_code_rounds" ("code_hash", "round_id") SELECT "code_hash", "round_id" FROM "ballot_codes" ORDER BY "code_hash"
            """).run()
        guard BallotPartitions.applies(to: database) else { return }
        for table in BallotPartitions.tables {
            try await sql.raw("ALTER TABLE \(ident: table) RENAME TO \(ident: table + "_unpartitioned")").run()
        }
        try await sql.raw("""
            CREATE TABLE "ballot_codes" ("id" uuid NOT NULL,
            "round_id" uuid NOT NULL,
            "rater_group_id" uuid NOT NULL, "code_hash" text NOT NULL, "used" boolean NOT NULL, "submission_hash" text,
            CONSTRAINT "ballot_codes_in_round_pkey" PRIMARY KEY ("round_id", "id"),
            CONSTRAINT "ballot_codes_in_round_code" UNIQUE ("round_id", "code_hash")) PARTITION BY LIST ("round_id")
            """).run()
        try await sql.raw("""
            CREATE TABLE "ballots" ("id" uuid NOT NULL,
            "round_id" uuid NOT NULL,
            "rater_group_id" uuid NOT NULL, "medium" text NOT NULL, "is_void" boolean NOT NULL, "marks" text NOT NULL,
            CONSTRAINT "ballots_in_round_pkey" PRIMARY KEY ("round_id", "id")) PARTITION BY LIST ("round_id")
            """).run()
        try await sql.raw("""
            CREATE TABLE "ballot_receipts" ("receipt" text NOT NULL,
            "round_id" uuid NOT NULL,
            CONSTRAINT "ballot_receipts_in_round_pkey" PRIMARY KEY ("round_id", "receipt")) PARTITION BY LIST ("round_id")
            """).run()
        struct RoundID: Decodable { var id: UUID }
        for round in try await sql.select().column("id").from(BallotRound.schema).all(decoding: RoundID.self) {
            try await BallotPartitions.create(round: round.id, on: database)
        }
        // In content order, as a seal writes them (`BallotScrub.rewrite`).
        try await sql.raw("""
            INSERT INTO "ballot_codes" SELECT "id", "round_id", "rater_group_id", "code_hash", "used", "submission_hash"
            FROM "ballot_codes_unpartitioned" ORDER BY "round_id", "code_hash"
            """).run()
        try await sql.raw("""
            INSERT INTO "ballots" SELECT "id", "round_id", "rater_group_id", "medium", "is_void", "marks"
            FROM "ballots_unpartitioned" ORDER BY "round_id", "rater_group_id", "medium", "is_void", "marks"
            """).run()
        try await sql.raw("""
            INSERT INTO "ballot_receipts" SELECT "receipt", "round_id" FROM "ballot_receipts_unpartitioned" ORDER BY "round_id", "receipt"
            """).run()
        for table in BallotPartitions.tables {
            try await sql.raw("DROP TABLE \(ident: table + "_unpartitioned")").run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        if BallotPartitions.applies(to: database) {
            for table in BallotPartitions.tables {
                try await sql.raw("ALTER TABLE \(ident: table) RENAME TO \(ident: table + "_partitioned")").run()
            }
            try await sql.raw("""
                CREATE TABLE "ballot_codes" ("id" uuid PRIMARY KEY,
                "round_id" uuid NOT NULL REFERENCES "ballot_rounds" ("id") ON DELETE CASCADE,
                "rater_group_id" uuid NOT NULL, "code_hash" text NOT NULL, "used" boolean NOT NULL, "submission_hash" text,
                CONSTRAINT "uq:ballot_codes.code_hash" UNIQUE ("code_hash"))
                """).run()
            try await sql.raw("""
                CREATE TABLE "ballots" ("id" uuid PRIMARY KEY,
                "round_id" uuid NOT NULL REFERENCES "ballot_rounds" ("id") ON DELETE CASCADE,
                "rater_group_id" uuid NOT NULL, "medium" text NOT NULL, "is_void" boolean NOT NULL, "marks" text NOT NULL)
                """).run()
            try await sql.raw("""
                CREATE TABLE "ballot_receipts" ("receipt" text PRIMARY KEY,
                "round_id" uuid NOT NULL REFERENCES "ballot_rounds" ("id") ON DELETE CASCADE)
                """).run()
            for table in BallotPartitions.tables {
                try await sql.raw("INSERT INTO \(ident: table) SELECT * FROM \(ident: table + "_partitioned")").run()
                try await sql.raw("DROP TABLE \(ident: table + "_partitioned")").run()
            }
            try await sql.create(index: "ballots_round").on(Ballot.schema).column("round_id").run()
            try await sql.create(index: "ballot_codes_round").on(BallotCode.schema).column("round_id").run()
        }
        try await database.schema(BallotCodeRound.schema).delete()
    }
}
