import Fluent
import Vapor

struct HealthController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("healthz", use: health)
    }

    /// Answers only after a query reached the database, so a dead database is not reported healthy.
    @Sendable
    func health(req: Request) async throws -> HealthDTO {
        try await databaseAnswers(on: req.db)
        return HealthDTO(status: "ok", database: req.application.databaseLocation.kind, version: PingyiVersion.current)
    }
}

public enum PingyiVersion {
    public static let current = "0.1.0"

    /// The schema this binary migrates to: how many migrations it knows and the last one's name.
    static var schema: (count: Int, last: String) {
        let last = PingyiMigrations.all.last.map { String(describing: type(of: $0)) } ?? "none"
        return (PingyiMigrations.all.count, last)
    }

    /// What `pingyi --version` prints.
    public static var line: String {
        "pingyi \(current)（数据库结构 / schema \(schema.count): \(schema.last)）"
    }
}
