import PingyiCore
import Vapor

/// Required text from a request: trimmed, not empty, not longer than `max`, and free of what `EnteredText` refuses.
func requireText(_ value: String, _ label: String, max: Int) throws -> String {
    let trimmed = try optionalText(value, label, max: max)
    guard !trimmed.isEmpty else { throw APIError(.unprocessableEntity, "invalid", "\(label)不能为空") }
    return trimmed
}

/// Optional text from a request: trimmed ("" when absent), not longer than `max`, free of what `EnteredText` refuses.
func optionalText(_ value: String?, _ label: String, max: Int) throws -> String {
    let trimmed = (value ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    guard trimmed.count <= max else { throw APIError(.unprocessableEntity, "invalid", "\(label)不能超过 \(max) 个字") }
    if let problem = EnteredText.problem(trimmed) { throw APIError(.unprocessableEntity, "invalid", "\(label)\(problem.message)") }
    return trimmed
}
