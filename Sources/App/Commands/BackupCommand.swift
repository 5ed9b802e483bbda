import Vapor

/// `pingyi backup PATH`: a consistent snapshot of the running database.
struct BackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "path", help: "备份文件路径（不存在的文件）")
        var path: String
        init() {}
    }

    var help: String { "在线备份数据库到文件 / Take a consistent online backup of the database" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let report = try await backupDatabase(context.application, to: signature.path)
        printOut(["已备份 / backed up (\(report.kind)): \(report.path), \(report.bytes) 字节 / bytes"])
    }
}

/// `pingyi restore PATH`: puts a backup back (server stopped).
struct RestoreCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "path", help: "备份文件路径")
        var path: String
        init() {}
    }

    var help: String { "从备份文件恢复数据库（请先停止服务） / Restore the database from a backup (stop the server first)" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let report = try await restoreDatabase(context.application, from: signature.path)
        printOut(["已恢复 / restored (\(report.kind)) from \(report.path)"])
    }
}
