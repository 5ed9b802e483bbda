import Fluent
import Vapor

/// `pingyi audit verify`: recomputes the hash chain of the audit log; exit status 1 when an entry was edited, deleted
/// or reordered.
struct AuditCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "verify（校验操作日志哈希链）")
        var action: String
        init() {}
    }

    var help: String { "校验操作日志哈希链 / Verify the audit log's hash chain" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.action == "verify" else {
            throw PingyiStartupError.badSetting("audit", "只能是 verify / must be verify")
        }
        let app = context.application
        try await prepareDatabase(app)
        let report = try await verifyAuditChain(on: app.db)
        if report.problems.isEmpty {
            printOut(["操作日志哈希链完整 / audit chain intact: \(report.entries) 条 / entries, 链头 / head #\(report.headSeq) \(report.headHash)"])
        } else {
            printOut(["操作日志哈希链已被破坏 / audit chain BROKEN (\(report.problems.count)):"] + report.problems.map { "  " + $0.message })
            throw AuditChainBroken()
        }
    }
}

struct AuditChainBroken: Error, CustomStringConvertible {
    var description: String { "操作日志哈希链校验失败 / audit chain verification failed" }
}
