import Vapor

struct HomeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: home)
    }

    struct HomeContext: Encodable {
        var version: String
    }

    @Sendable
    func home(req: Request) async throws -> View {
        try await req.view.render("index", HomeContext(version: PingyiVersion.current))
    }
}
