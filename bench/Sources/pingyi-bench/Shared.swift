import App
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOPosix
import Vapor

// Helpers several benchmarks use.

/// A value shared between concurrent tasks (voters, killers, screens and the checks).
final class Locked<Value>: @unchecked Sendable {
    private var stored: Value
    private let lock = NSLock()
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func withValue<T>(_ body: (inout Value) -> T) -> T { lock.withLock { body(&stored) } }
}

/// Logs in as the first admin (password `bench-password-1`, which `ServerProcess` sets): the token goes into `api`.
func logIn(_ api: inout API) async throws {
    let login = try await api.object(.POST, "/api/v1/session", json: ["username": "admin", "password": "bench-password-1"]) as! [String: Any]
    api.token = login["token"] as? String
}

/// One ballot sent as the voting page sends it: the answer's status (0 when none came), time and receipt.
func postBallot(_ client: HTTPClient, url: String, body: Data) async -> (status: Int, ms: Double, receipt: String?) {
    let t0 = Date()
    var request = HTTPClientRequest(url: url)
    request.method = .POST
    request.headers.add(name: "Content-Type", value: "application/json")
    request.body = .bytes(ByteBuffer(data: body))
    do {
        let response = try await client.execute(request, timeout: .seconds(60))
        let answer = try await response.body.collect(upTo: 1 << 20)
        let ms = Date().timeIntervalSince(t0) * 1000
        let receipt = (try? JSONSerialization.jsonObject(with: Data(buffer: answer)) as? [String: Any])?["receipt"] as? String
        return (Int(response.status.code), ms, receipt)
    } catch {
        return (0, Date().timeIntervalSince(t0) * 1000, nil)
    }
}

/// A process's peak resident set (VmHWM), in MB; -1 when it cannot be read.
func peakRSSMegabytes(pid: Int32) -> Double {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return -1 }
    return kb / 1024
}

/// The App module on a fresh SQLite file, or on the PostgreSQL database `postgresURL` names, migrated; shut down after
/// `body`.
func withBenchDatabase<T>(postgresURL: String?, _ body: (Application) async throws -> T) async throws -> T {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("pingyi-bench-\(UUID().uuidString).sqlite").path
    defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
    let app = try await Application.make(Environment(name: "production", arguments: ["pingyi-bench"]))
    app.logger.logLevel = .warning
    do {
        try await configure(app, database: postgresURL.map { DatabaseLocation.postgres(url: $0) } ?? .sqliteFile(path: path))
        try await prepareDatabase(app)
        let result = try await body(app)
        try await app.asyncShutdown()
        return result
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
}

/// An HTTP client (`connections` per host) and an event loop group of `loops` threads for WebSockets, both shut down
/// after `body`, whether it throws or not.
func withClient<T>(connections: Int, loops: Int, _ body: (HTTPClient, MultiThreadedEventLoopGroup) async throws -> T) async throws -> T {
    let client = API.makeClient(connections: connections)
    let group = MultiThreadedEventLoopGroup(numberOfThreads: loops)
    do {
        let result = try await body(client, group)
        try await client.shutdown()
        try await group.shutdownGracefully()
        return result
    } catch {
        try? await client.shutdown()
        try? await group.shutdownGracefully()
        throw error
    }
}
