import Fluent

/// Reaches the database with a query (a dead database throws).
func databaseAnswers(on db: any Database) async throws {
    _ = try await User.query(on: db).count()
}
