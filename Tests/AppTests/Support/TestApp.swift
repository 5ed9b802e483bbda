@testable import App
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

/// The databases every HTTP test runs against. PostgreSQL joins when `PINGYI_TEST_POSTGRES_URL` is set, and
/// always under CI, where a missing server must fail rather than skip.
enum TestDatabase: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    static var available: [TestDatabase] {
        let env = ProcessInfo.processInfo.environment
        if env["PINGYI_TEST_POSTGRES_URL"] != nil || env["CI"] == "true" { return [.sqlite, .postgres] }
        return [.sqlite]
    }

    var testDescription: String { rawValue }
}

/// Runs `body` against a freshly migrated app (the database is required: VaporTesting's own `withApp { }` would
/// otherwise be picked and hand over an unconfigured app) on its own database (SQLite in memory, or a PostgreSQL schema of its
/// own that is dropped afterwards), and always shuts the app down.
func withApp(_ database: TestDatabase, _ body: (Application) async throws -> Void) async throws {
    let app = try await Application.make(.testing)
    var schema: String?
    do {
        switch database {
        case .sqlite:
            try await configure(app, database: .sqliteMemory)
        case .postgres:
            guard let url = ProcessInfo.processInfo.environment["PINGYI_TEST_POSTGRES_URL"] else {
                Issue.record("PINGYI_TEST_POSTGRES_URL is not set: PostgreSQL tests cannot run")
                try await app.asyncShutdown()
                return
            }
            let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            schema = name
            try await configure(app, database: .postgres(url: url, searchPath: name))
            try await (app.db as! any SQLDatabase).raw("CREATE SCHEMA \(ident: name)").run()
        }
        app.passwords.use(.bcrypt(cost: 4))
        try await prepareDatabase(app)
        try await body(app)
    } catch {
        await cleanUp(app, schema: schema)
        // PSQLError hides its reason from the default description.
        Issue.record("\(String(reflecting: error))")
        throw error
    }
    await cleanUp(app, schema: schema)
}

/// Runs `body` against a freshly migrated app on a SQLite file in a folder of its own (removed afterwards), with the
/// file's path: for tests that read the database's files.
func withSQLiteFile(_ body: (Application, String) async throws -> Void) async throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pingyi-file-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("pingyi.sqlite").path
    let app = try await Application.make(.testing)
    do {
        try await configure(app, database: .sqliteFile(path: path))
        app.passwords.use(.bcrypt(cost: 4))
        try await prepareDatabase(app)
        try await body(app, path)
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
    try await app.asyncShutdown()
}

private func cleanUp(_ app: Application, schema: String?) async {
    if let schema, let sql = app.db as? any SQLDatabase {
        try? await sql.raw("DROP SCHEMA \(ident: schema) CASCADE").run()
    }
    try? await app.asyncShutdown()
}

/// Creates a user directly in the database.
@discardableResult
func makeUser(_ app: Application, username: String, password: String = "password123", role: User.Role,
              orgUnitID: UUID? = nil) async throws -> User {
    let user = User(username: username, passwordHash: try app.password.hash(password), displayName: username,
                    role: role, orgUnitID: orgUnitID)
    try await user.save(on: app.db)
    return user
}

/// Logs in over HTTP and returns the bearer token.
func login(_ app: Application, _ username: String, _ password: String = "password123") async throws -> String {
    var token = ""
    try await app.testing().test(.POST, "api/v1/session", beforeRequest: { req in
        try req.content.encode(["username": username, "password": password], as: .json)
    }, afterResponse: { res in
        #expect(res.status == .ok)
        token = try res.content.decode(SessionDTO.self).token ?? ""
    })
    return token
}

func bearer(_ token: String) -> HTTPHeaders { ["Authorization": "Bearer \(token)"] }

/// The error body every failure must carry.
func expectError(_ res: TestingHTTPResponse, _ status: HTTPStatus, code: String? = nil,
                 sourceLocation: SourceLocation = #_sourceLocation) throws {
    try expectError(Reply(status: res.status, headers: res.headers, body: res.body), status, code: code, sourceLocation: sourceLocation)
}

func expectError(_ res: Reply, _ status: HTTPStatus, code: String? = nil,
                 sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(res.status == status, "\(res.text)", sourceLocation: sourceLocation)
    let body = try res.decode(ErrorBody.self)
    #expect(body.error, sourceLocation: sourceLocation)
    if let code { #expect(body.code == code, sourceLocation: sourceLocation) }
    // The reason is for a Chinese-speaking user: it must contain CJK characters.
    #expect(body.reason.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) }, "reason: \(body.reason)",
            sourceLocation: sourceLocation)
}

/// One HTTP exchange, for tests that make many: the status and the body.
struct Reply {
    var status: HTTPStatus
    var headers: HTTPHeaders
    var body: ByteBuffer

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder.pingyi.decode(T.self, from: Data(buffer: body))
    }

    var text: String { String(buffer: body) }
}

extension JSONDecoder {
    static var pingyi: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

/// Sends a request with an optional bearer token and JSON (or raw) body.
@discardableResult
func call(_ app: Application, _ method: HTTPMethod, _ path: String, token: String? = nil,
          json: (any Encodable & Sendable)? = nil, raw: Data? = nil, headers extra: HTTPHeaders = [:]) async throws -> Reply {
    var headers = extra
    if let token { headers.add(name: .authorization, value: "Bearer \(token)") }
    var body: ByteBuffer?
    if let json {
        headers.replaceOrAdd(name: .contentType, value: "application/json")
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        body = ByteBuffer(data: try encoder.encode(json))
    } else if let raw {
        if !headers.contains(name: .contentType) { headers.add(name: .contentType, value: "application/octet-stream") }
        body = ByteBuffer(data: raw)
    }
    var reply: Reply?
    try await app.testing().test(method, path, headers: headers, body: body) { res in
        reply = Reply(status: res.status, headers: res.headers, body: res.body)
    }
    return reply!
}

/// The World's accounts by user name: one of every role, inside and outside the district's scope.
enum WorldAccount: String, CaseIterable, Sendable {
    /// The system admin (user name `admin`).
    case sysadmin
    case districtAdmin, townAdmin, chair, teller, scrutineer
    /// A chair in the town, outside the district campaign's scope.
    case outsideChair
    /// The secretary of **镇党委 (linked to the demo's reportee) and one of another town.
    case reportee, otherReportee
}

/// The demo campaign plus one account of every role, inside and outside the district's scope.
struct World {
    var app: Application
    var campaign: Campaign
    var campaignID: String { campaign.id!.uuidString }
    var district: OrgUnit
    var town: OrgUnit
    var otherTown: OrgUnit
    /// Tokens by account name (`WorldAccount`).
    var tokens: [String: String]

    func token(_ account: WorldAccount) -> String { tokens[account.rawValue]! }
    /// For tables that name accounts as text (the route matrix, its role column): a name the World lacks fails.
    func token(named name: String) -> String {
        guard let account = WorldAccount(rawValue: name) else { fatalError("no account \(name) in the World") }
        return token(account)
    }

    static func make(_ app: Application) async throws -> World {
        let report = try await bootstrap(app, adminPassword: "admin-password")
        _ = report
        let campaign = try await Campaign.query(on: app.db).first()!
        let district = try await OrgUnit.query(on: app.db).filter(\.$name == "**区委").first()!
        let town = try await OrgUnit.query(on: app.db).filter(\.$name == "**镇党委").first()!
        let otherTown = try await OrgUnit.query(on: app.db).filter(\.$name == "**乡党委").first()!
        var tokens = ["sysadmin": try await login(app, "admin", "admin-password")]
        let accounts: [(String, User.Role, OrgUnit)] = [
            ("districtAdmin", .campaignAdmin, district), ("townAdmin", .campaignAdmin, town),
            ("chair", .chair, district), ("teller", .teller, district), ("scrutineer", .scrutineer, district),
            ("outsideChair", .chair, town), ("reportee", .reportee, town), ("otherReportee", .reportee, otherTown),
        ]
        for (name, role, unit) in accounts {
            let user = try await makeUser(app, username: name, role: role, orgUnitID: unit.id)
            if name == "reportee" {
                let reportee = try await Reportee.query(on: app.db).filter(\.$unitName == "**镇党委").first()!
                reportee.$user.id = user.id
                try await reportee.save(on: app.db)
            }
            tokens[name] = try await login(app, name)
        }
        return World(app: app, campaign: campaign, district: district, town: town, otherTown: otherTown, tokens: tokens)
    }
}

/// Sends a request over a real socket from 127.0.0.1 (the server listens on a free port for this one request), for
/// what depends on the connection's peer: the limiters and the forwarding headers of trusted proxies.
@discardableResult
func callOverNetwork(_ app: Application, _ method: HTTPMethod, _ path: String, json: (any Encodable & Sendable)? = nil,
                     headers extra: HTTPHeaders = [:]) async throws -> Reply {
    var headers = extra
    var body: ByteBuffer?
    if let json {
        headers.replaceOrAdd(name: .contentType, value: "application/json")
        body = ByteBuffer(data: try JSONEncoder().encode(json))
    }
    var reply: Reply?
    try await app.testing(method: .running(hostname: "127.0.0.1", port: 0)).test(method, path, headers: headers, body: body) { res in
        reply = Reply(status: res.status, headers: res.headers, body: res.body)
    }
    return reply!
}
