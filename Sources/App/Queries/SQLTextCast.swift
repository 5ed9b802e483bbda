import SQLKit

/// `CAST(… AS TEXT)`: a JSON column as its stored text, the same on SQLite (text) and PostgreSQL (jsonb), so a caller
/// can decode it once and keep it (`DecodedTextCache`).
struct SQLTextCast: SQLExpression {
    let expression: any SQLExpression

    init(_ expression: any SQLExpression) {
        self.expression = expression
    }

    func serialize(to serializer: inout SQLSerializer) {
        serializer.write("CAST(")
        expression.serialize(to: &serializer)
        serializer.write(" AS TEXT)")
    }
}
