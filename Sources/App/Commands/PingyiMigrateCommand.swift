import Fluent
import Vapor

/// `pingyi migrate [--revert]`: brings the schema up to date, or reverts the last batch.
struct PingyiMigrateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "revert", help: "撤销最近一批迁移 / revert the last batch of migrations")
        var revert: Bool
        init() {}
    }

    var help: String { "迁移数据库到最新结构 / Migrate the database" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        if signature.revert {
            try await app.migrator.setupIfNeeded().get()
            try await app.migrator.revertLastBatch().get()
            printOut(["已撤销最近一批迁移 / reverted the last batch (\(app.databaseLocation.displayName))"])
        } else {
            try await prepareDatabase(app)
            printOut(["数据库已是最新结构 / database is up to date (\(app.databaseLocation.displayName))"])
        }
    }
}
