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

enum PingyiVersion {
    static let current = "0.1.0"
}
