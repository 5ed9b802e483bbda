@testable import App
import Foundation
import Testing
import VaporTesting

@Suite("Health and the OpenAPI document")
struct HealthAndOpenAPITests {
    @Test(arguments: TestDatabase.available)
    func healthzNamesTheDatabaseKind(database: TestDatabase) async throws {
        try await withApp(database) { app in
            try await app.testing().test(.GET, "healthz") { res in
                #expect(res.status == .ok)
                let body = try res.content.decode(HealthDTO.self)
                #expect(body.status == "ok")
                #expect(body.database == database.rawValue)
            }
        }
    }

    @Test func openAPIDocumentIsServedAsOpenAPI3() async throws {
        try await withApp(.sqlite) { app in
            try await app.testing().test(.GET, "api/v1/openapi.json") { res in
                #expect(res.status == .ok)
                #expect(res.headers.contentType == .json)
                let document = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: res.body))
                #expect(document["openapi"] == "3.0.3")
                #expect(document["paths"]?["/api/v1/session"]?["post"] != nil)
            }
        }
    }

    /// Every route under /api/v1 is documented, and every documented operation exists.
    @Test func documentAndRouteTableAgree() async throws {
        try await withApp(.sqlite) { app in
            let routes = Set(app.routes.all.compactMap { route -> String? in
                let path = "/" + route.path.map { component -> String in
                    if case .parameter(let name) = component { return "{\(name)}" }
                    return component.description
                }.joined(separator: "/")
                guard path.hasPrefix("/api/v1/"), path != "/api/v1/openapi.json" else { return nil }
                return "\(route.method.rawValue.lowercased()) \(path)"
            })
            let documented = Set(OpenAPIDocument.operations.map { "\($0.method) \($0.path)" })
            #expect(routes == documented)
            #expect(!routes.isEmpty)
        }
    }

    @Test func everySchemaReferenceResolves() throws {
        let data = try JSONEncoder().encode(OpenAPIDocument.document)
        let text = String(decoding: data, as: UTF8.self)
        let schemas = Set(OpenAPISchemas.all.keys)
        let regex = try Regex(#"#\\?/components\\?/schemas\\?/([A-Za-z]+)"#)
        let references = text.matches(of: regex).map { String(text[$0.range].split(separator: "/").last!) }
        #expect(!references.isEmpty)
        for reference in references {
            #expect(schemas.contains(reference), "unresolved $ref \(reference)")
        }
    }

    /// Issue 15: an integrator reads the document, not the code. Every operation and every property, at every depth,
    /// says what it is; a new property without a description fails here.
    @Test func everyOperationAndPropertyIsDescribed() throws {
        let document = OpenAPIDocument.document
        var missing: [String] = []
        func walk(_ schema: JSONValue, _ path: String) {
            guard let object = schema.objectValue else { return }
            if let properties = object["properties"]?.objectValue {
                for (name, property) in properties {
                    if case .string(let text)? = property.objectValue?["description"], !text.isEmpty {} else { missing.append("\(path).\(name)") }
                    walk(property, "\(path).\(name)")
                }
            }
            for key in ["items", "additionalProperties"] { if let inner = object[key] { walk(inner, path) } }
            if case .array(let parts)? = object["allOf"] { parts.forEach { walk($0, path) } }
        }
        let schemas = try #require(document["components"]?["schemas"]?.objectValue)
        for (name, schema) in schemas { walk(schema, name) }
        #expect(missing.isEmpty, "\(missing.sorted())")
        var count = 0
        for (path, item) in try #require(document["paths"]?.objectValue) {
            for (method, operation) in try #require(item.objectValue) {
                count += 1
                if case .string(let text)? = operation["description"], !text.isEmpty {} else { Issue.record("\(method) \(path) has no description") }
            }
        }
        #expect(count == OpenAPIDocument.operations.count)
        // a check that can fail: the walk finds a property left bare
        missing = []
        walk(["type": "object", "properties": ["bare": ["type": "string"]]], "Probe")
        #expect(missing == ["Probe.bare"])
    }

    @Test func operationIDsAreUnique() {
        let ids = OpenAPIDocument.operations.map(OpenAPIDocument.operationID)
        #expect(Set(ids).count == ids.count)
    }

    @Test func homePageIsChinese() async throws {
        try await withApp(.sqlite) { app in
            try await app.testing().test(.GET, "/") { res in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("lang=\"zh-CN\""))
                #expect(res.body.string.contains("基层党组织书记述职评议考核系统"))
                #expect(res.body.string.contains("width=device-width"))
            }
        }
    }

    @Test func unknownPathsAnswerAChineseJSON404() async throws {
        try await withApp(.sqlite) { app in
            try await app.testing().test(.GET, "api/v1/nothing-here") { res in
                try expectError(res, .notFound, code: "not_found")
            }
        }
    }
}

@Suite("Security headers")
struct SecurityHeaderTests {
    @Test func everyAnswerCarriesThePolicyPagesFilesAndErrorsAlike() async throws {
        try await withApp(.sqlite) { app in
            for path in ["/", "/v", "css/pingyi.css", "api/v1/campaigns", "api/v1/nothing-here", "healthz"] {
                let reply = try await call(app, .GET, path)
                let csp = try #require(reply.headers.first(name: "Content-Security-Policy"), "\(path)")
                #expect(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'"))
                #expect(reply.headers.first(name: "X-Frame-Options") == "DENY", "\(path)")
                #expect(reply.headers.first(name: "X-Content-Type-Options") == "nosniff", "\(path)")
                #expect(reply.headers.first(name: "Referrer-Policy") == "no-referrer", "\(path)")
                #expect(reply.headers.first(name: "Strict-Transport-Security") == nil, "plain HTTP gets no HSTS")
            }
            // a forwarding header counts only from a trusted proxy (finding 11)
            let spoofed = try await callOverNetwork(app, .GET, "healthz", headers: ["X-Forwarded-Proto": "https"])
            #expect(spoofed.headers.first(name: "Strict-Transport-Security") == nil)
            app.trustedProxies = ["127.0.0.1"]
            let tls = try await callOverNetwork(app, .GET, "healthz", headers: ["X-Forwarded-Proto": "https"])
            #expect(tls.headers.first(name: "Strict-Transport-Security") == "max-age=31536000")
        }
    }

    /// No page may rely on an inline script, handler or style attribute: the policy would block it.
    @Test func noTemplateHasInlineScriptOrStyle() throws {
        let views = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Resources/Views")
        let files = try FileManager.default.contentsOfDirectory(atPath: views.path).filter { $0.hasSuffix(".leaf") }
        #expect(files.count > 10)
        for file in files {
            let text = try String(contentsOf: views.appendingPathComponent(file), encoding: .utf8)
            #expect(text.range(of: #"<script(?![^>]*\bsrc=)"#, options: .regularExpression) == nil, "\(file) has an inline script")
            #expect(text.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) == nil, "\(file) has an inline handler")
            #expect(text.range(of: #"\sstyle\s*="#, options: .regularExpression) == nil, "\(file) has a style attribute")
        }
    }
}
