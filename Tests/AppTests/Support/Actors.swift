@testable import App
import Fluent
import Foundation
import Testing
import Vapor

/// The account `username` with its scope, as a request would see it: for calling operations directly.
func actor(_ app: Application, _ username: String) async throws -> Actor {
    let user = try #require(try await User.query(on: app.db).filter(\.$username == username).first())
    return Actor(user: user, scope: try await OrgScope.of(user, on: app.db))
}

/// The audit log's actions in order, for checking what an operation recorded.
func auditActions(_ app: Application) async throws -> [String] {
    try await AuditEntry.query(on: app.db).sort(\.$seq).all().map(\.action)
}
