import Fluent
import Foundation
import SQLKit

/// A claim: a conditional `UPDATE … WHERE <the state that was read>`, answered by whether it changed the row. On
/// PostgreSQL the row then stays locked until the transaction ends, and a concurrent claim that came second finds its
/// condition false; on SQLite write transactions take turns. So of two clicks or two instances, exactly one wins.
func claimRow(_ update: SQLQueryString, on db: any Database) async throws -> Bool {
    struct Row: Decodable { var id: UUID }
    var query = update
    query.appendInterpolation(unsafeRaw: " RETURNING \"id\"")
    return try await (db as! any SQLDatabase).raw(query).first(decoding: Row.self) != nil
}
