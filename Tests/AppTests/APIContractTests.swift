@testable import App
import Foundation
import Testing

/// `/api/v1` is a contract (issue 15): district systems pull our results from it. `docs/api/openapi-v1.json` is the
/// reviewed copy of the document, so any change shows up as a diff in review; `docs/api/openapi-v1-baseline.json` is the
/// contract as first published, and nothing may break it: no operation or answered property removed or retyped, no
/// answered property made optional, no request property newly required. A breaking change needs `/api/v2`.
@Suite("The /api/v1 contract")
struct APIContractTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/api")

    /// The document without its build version, in one canonical spelling.
    static func canonical(_ document: JSONValue) throws -> String {
        guard case .object(var top) = document else { return "" }
        if case .object(var info)? = top["info"] { info["version"] = nil; top["info"] = .object(info) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(JSONValue.object(top)), as: UTF8.self) + "\n"
    }

    @Test func theDocumentIsTheReviewedCopy() throws {
        let now = try Self.canonical(OpenAPIDocument.document)
        let file = Self.folder.appendingPathComponent("openapi-v1.json")
        let stored = try? String(contentsOf: file, encoding: .utf8)
        if stored != now {
            try now.write(to: file.appendingPathExtension("new"), atomically: true, encoding: .utf8)
            Issue.record("""
                The OpenAPI document changed. Review `diff docs/api/openapi-v1.json docs/api/openapi-v1.json.new`; \
                if the change is meant (and not breaking, see the baseline test), move the .new file over the old one.
                """)
        }
    }

    @Test func nothingBreaksTheBaseline() throws {
        let data = try Data(contentsOf: Self.folder.appendingPathComponent("openapi-v1-baseline.json"))
        let baseline = try JSONDecoder().decode(JSONValue.self, from: data)
        let problems = Self.breakingChanges(from: baseline, to: OpenAPIDocument.document)
        #expect(problems.isEmpty, "\(problems)")
    }

    /// The check itself can fail: each kind of break is found.
    @Test func eachKindOfBreakIsFound() throws {
        let old: JSONValue = [
            "paths": ["/api/v1/a": ["get": ["operationId": "getA"]], "/api/v1/b": ["get": ["operationId": "getB"]]],
            "components": ["schemas": [
                "Answer": ["type": "object", "additionalProperties": false, "required": ["x", "y"],
                           "properties": ["x": ["type": "number"], "y": ["type": "string"], "z": ["type": "integer"]]],
                "Request": ["type": "object", "required": [], "properties": ["p": ["type": "string"]]],
            ]],
        ]
        #expect(Self.breakingChanges(from: old, to: old).isEmpty)
        let new: JSONValue = [
            "paths": ["/api/v1/a": ["get": ["operationId": "getA"]]],
            "components": ["schemas": [
                "Answer": ["type": "object", "additionalProperties": false, "required": ["x"],
                           "properties": ["x": ["type": "string"], "y": ["type": "string"], "w": ["type": "string"]]],
                "Request": ["type": "object", "required": ["p"], "properties": ["p": ["type": "string"]]],
            ]],
        ]
        let problems = Self.breakingChanges(from: old, to: new)
        #expect(problems.count == 5, "\(problems)") // getB gone, x retyped, y optional, z gone, p newly required
    }

    static func breakingChanges(from old: JSONValue, to new: JSONValue) -> [String] {
        var problems: [String] = []
        for (path, item) in old["paths"]?.objectValue ?? [:] {
            for method in (item.objectValue ?? [:]).keys where new["paths"]?[path]?[method] == nil {
                problems.append("\(method) \(path) removed")
            }
        }
        let newSchemas = new["components"]?["schemas"]?.objectValue ?? [:]
        for (name, schema) in old["components"]?["schemas"]?.objectValue ?? [:] {
            guard let current = newSchemas[name] else { problems.append("schema \(name) removed"); continue }
            compare(schema, current, name, &problems)
        }
        return problems
    }

    /// `additionalProperties: false` marks an answer (`OpenAPISchemas.object`); request bodies are open.
    static func compare(_ old: JSONValue, _ new: JSONValue, _ path: String, _ problems: inout [String]) {
        let old = unwrapped(old), new = unwrapped(new)
        if old["$ref"] != new["$ref"] { problems.append("\(path): reference changed"); return }
        if old["type"] != new["type"] { problems.append("\(path): type changed"); return }
        if let items = old["items"], let newItems = new["items"] { compare(items, newItems, path + "[]", &problems) }
        guard let properties = old["properties"]?.objectValue else { return }
        let newProperties = new["properties"]?.objectValue ?? [:]
        let isAnswer = old["additionalProperties"] == .bool(false)
        func required(_ schema: JSONValue) -> Set<String> {
            guard case .array(let names)? = schema["required"] else { return [] }
            return Set(names.compactMap { if case .string(let name) = $0 { name } else { nil } })
        }
        for (name, property) in properties {
            guard let current = newProperties[name] else {
                if isAnswer { problems.append("\(path).\(name) removed") }
                else { problems.append("\(path).\(name) no longer accepted") }
                continue
            }
            compare(property, current, "\(path).\(name)", &problems)
        }
        if isAnswer {
            for name in required(old).subtracting(required(new)) { problems.append("\(path).\(name) no longer always answered") }
        } else {
            for name in required(new).subtracting(required(old)) { problems.append("\(path).\(name) newly required") }
        }
    }

    /// A described `$ref` is wrapped as `allOf: [ref]`.
    static func unwrapped(_ schema: JSONValue) -> JSONValue {
        if case .array(let parts)? = schema["allOf"], parts.count == 1 { return parts[0] }
        return schema
    }
}
