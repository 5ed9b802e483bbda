@testable import App
import Fluent
import Foundation
import Testing
import Vapor

/// The access policy is declared where each route is registered; `RouteAccessMatrixTests` checks what every role gets.
/// These check the declaration itself: every API route makes one, and one that does not is not left open.
@Suite("Access policy, declared at registration")
struct AccessPolicyTests {
    /// API routes outside `apiV1()` (no account involved by design): the OpenAPI document and the ballot itself.
    static let outsideThePolicy: Set<String> = ["GET /api/v1/openapi.json", "POST /api/v1/vote/check", "POST /api/v1/vote"]

    @Test func everyAPIRouteDeclaresWhoItAdmits() async throws {
        try await withApp(.sqlite) { app in
            let undeclared = app.routes.all
                .filter { $0.path.first?.description == "api" && $0.policy == nil }
                .map(RouteAccessMatrixTests.key)
                .filter { !Self.outsideThePolicy.contains($0) }
            #expect(undeclared.isEmpty, "API routes with no declared policy: \(undeclared)")
        }
    }

    /// A route under `/api/v1` registered without a policy needs an account: forgetting to declare closes, not opens.
    @Test(arguments: TestDatabase.available)
    func anUndeclaredRouteNeedsAnAccount(_ database: TestDatabase) async throws {
        try await withApp(database) { app in
            app.routes.apiV1().get("probe") { _ in "ok" }
            let world = try await World.make(app)
            #expect(try await call(app, .GET, "api/v1/probe").status == .unauthorized)
            #expect(try await call(app, .GET, "api/v1/probe", token: world.token(.reportee)).status == .ok)
        }
    }

    /// A refused role hears why, in the words the route declared; an out-of-scope account still sees 404 first.
    @Test(arguments: TestDatabase.available)
    func aNarrowedRouteRefusesOtherStaffWithItsReasonAfterTheScope(_ database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let path = "api/v1/campaigns/\(world.campaignID)/rounds/\(UUID().uuidString)/sheets/1/entry"
            let body = PaperEntryRequest(marks: "", unreadable: true)
            let scrutineer = try await call(app, .POST, path, token: world.token(.scrutineer), json: body)
            #expect(scrutineer.status == .forbidden)
            #expect(scrutineer.text.contains("只有计票人可以录入纸质票"))
            #expect(try await call(app, .POST, path, token: world.token(.townAdmin), json: body).status == .notFound)
            #expect(try await call(app, .POST, path, token: world.token(.teller), json: body).status == .notFound)
        }
    }
}
