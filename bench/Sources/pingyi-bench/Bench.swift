// pingyi-bench: drives a real `pingyi serve` over HTTP and prints one line of figures per benchmark.
//   pingyi-bench ballots --binary PATH [--voters N] [--concurrency C]
//   pingyi-bench tally [--ballots B]
//   pingyi-bench district --binary PATH --postgres-url URL [--meetings M] [--history H] [--sealing S]
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import PingyiCore

@main
enum Bench {
    static func main() async throws {
        var args = Array(CommandLine.arguments.dropFirst())
        guard let command = args.first else { usage() }
        args.removeFirst()
        let options = Options(args)
        do {
            switch command {
            case "ballots":
                try await BallotBench(options: options).run()
            case "live":
                try await LiveBench(options: options).run()
            case "crash":
                try await CrashBench(options: options).run()
            case "tally":
                try await TallyBench(ballots: options.int("ballots", 100_000)).run()
            case "overview":
                try await OverviewBench(campaigns: options.int("campaigns", 1000), postgresURL: options.string("postgres-url")).run()
            case "district":
                try await DistrictBench(options: options).run()
            case "read-pages":
                try ReadPages.run(options: options)
            default:
                usage()
            }
        } catch {
            FileHandle.standardError.write(Data("bench failed: \(error)\n".utf8))
            exit(1)
        }
    }

    static func usage() -> Never {
        FileHandle.standardError.write(Data("usage: pingyi-bench ballots --binary PATH [--voters N] [--concurrency C] | live --binary PATH [--viewers V] [--changes C] | crash --binary PATH [--kills K] [--postgres-url URL --pg-data DIR --pg-port P] | overview [--campaigns N] [--postgres-url URL] | district --binary PATH --postgres-url URL [--meetings M] [--history H] [--years Y] [--sealing S] [--window-seconds W] [--overview-every-seconds E] | tally [--ballots B] | read-pages --list FILE\n".utf8))
        exit(2)
    }
}

struct Options {
    var values: [String: String] = [:]
    init(_ args: [String]) {
        var i = 0
        while i < args.count {
            if args[i].hasPrefix("--"), i + 1 < args.count { values[String(args[i].dropFirst(2))] = args[i + 1]; i += 2 } else { i += 1 }
        }
    }
    func int(_ key: String, _ fallback: Int) -> Int { values[key].flatMap(Int.init) ?? fallback }
    func string(_ key: String) -> String? { values[key] }
}

/// A `pingyi serve` in a fresh folder on a free port, stopped at the end.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let folder: URL
    let port: Int
    var base: String { "http://127.0.0.1:\(port)" }

    /// In `folder` (a fresh one by default) on `port` (a free one by default): a restart passes both again.
    init(binary: String, environment: [String: String] = [:], folder: URL? = nil, port: Int? = nil) throws {
        self.folder = folder ?? FileManager.default.temporaryDirectory.appendingPathComponent("pingyi-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.folder, withIntermediateDirectories: true)
        self.port = try port ?? freePort()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--port", String(self.port), "--log", "warning"]
        process.currentDirectoryURL = self.folder
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PINGYI_") }
        env["PINGYI_ADMIN_PASSWORD"] = "bench-password-1"
        env.merge(environment) { _, new in new }
        process.environment = env
        let log = self.folder.appendingPathComponent("server.log")
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        try handle.seekToEnd()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    func stop(keepFolder: Bool = false) {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
        if !keepFolder { try? FileManager.default.removeItem(at: folder) }
    }

    /// A power cut for this process: SIGKILL, no shutdown of any kind.
    func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }
}

/// A port nothing listens on now: bind to port 0, read what the kernel gave, close.
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw BenchError.failed("socket() failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    let bound = withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw BenchError.failed("bind() failed") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// JSON over HTTP with a pool big enough for the benchmark's concurrency.
struct API {
    let client: HTTPClient
    let base: String
    var token: String?

    static func makeClient(connections: Int) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func send(_ method: HTTPMethod, _ path: String, json: Any? = nil, raw: Data? = nil) async throws -> (status: Int, body: Data) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: json)))
        } else if let raw {
            request.headers.add(name: "Content-Type", value: "text/csv")
            request.body = .bytes(ByteBuffer(data: raw))
        }
        let response = try await client.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), Data(buffer: body))
    }

    func object(_ method: HTTPMethod, _ path: String, json: Any? = nil, raw: Data? = nil) async throws -> Any {
        let (status, body) = try await send(method, path, json: json, raw: raw)
        guard status < 300 else { throw BenchError.http(status, path, String(decoding: body.prefix(300), as: UTF8.self)) }
        return try JSONSerialization.jsonObject(with: body)
    }
}

enum BenchError: Error, CustomStringConvertible {
    case http(Int, String, String)
    case failed(String)
    var description: String {
        switch self {
        case .http(let status, let path, let body): "HTTP \(status) for \(path): \(body)"
        case .failed(let text): text
        }
    }
}

/// Runs `count` jobs with at most `width` in flight; returns each job's result in order.
func concurrently<T: Sendable>(_ count: Int, width: Int, _ job: @escaping @Sendable (Int) async -> T) async -> [T] {
    await withTaskGroup(of: (Int, T).self) { group in
        var results = [T?](repeating: nil, count: count)
        var next = 0
        while next < min(width, count) {
            let i = next
            group.addTask { (i, await job(i)) }
            next += 1
        }
        while let (i, value) = await group.next() {
            results[i] = value
            if next < count {
                let j = next
                group.addTask { (j, await job(j)) }
                next += 1
            }
        }
        return results.map { $0! }
    }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

func format(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }

/// Issue 5's benchmark: N voters each cast one complete ballot with C concurrent connections.
struct BallotBench {
    let options: Options

    func run() async throws {
        guard let binary = options.string("binary") else { Bench.usage() }
        let voters = options.int("voters", 2000)
        let width = options.int("concurrency", 200)
        let server = try ServerProcess(binary: binary)
        defer { server.stop() }
        let client = API.makeClient(connections: width)
        do {
            try await measure(server: server, client: client, voters: voters, width: width)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    func measure(server: ServerProcess, client: HTTPClient, voters: Int, width: Int) async throws {
        var api = API(client: client, base: server.base)
        try await waitUntilUp(api, server: server)

        let box = try await openBallotBox(&api, voters: voters)
        let (base, roundID, codes) = (box.base, box.roundID, box.codes)
        var voteAPI = api
        voteAPI.token = nil
        let bodies: [Data] = try (0..<voters).map { i in
            try JSONSerialization.data(withJSONObject: ["code": codes[i], "submissionID": "bench-\(i)-\(UUID().uuidString.prefix(8))",
                                                        "ballot": box.ballot(seed: UInt64(i))])
        }
        let voteBase = server.base
        let started = Date()
        let results = await concurrently(voters, width: width) { i -> (Int, Double, String?) in
            await postBallot(client, url: voteBase + "/api/v1/vote", body: bodies[i])
        }
        let seconds = Date().timeIntervalSince(started)
        let ok = results.filter { $0.0 == 200 }
        let latencies = results.map(\.1).sorted()

        // Verify against what the server stored: the round's count and its public receipts.
        // The seal includes rewriting the round's rows and emptying the write-ahead log (BallotScrub). seal_hold_ms: how
        // long it holds other writers back (SQLite has one writer): a probe writes the meeting's message again and again
        // while the seal runs; its longest answer, less its usual one (median of 20 before), is the hold.
        let probeAPI = api
        let probe = { @Sendable () async -> Double in
            let t0 = Date()
            _ = try? await probeAPI.send(.POST, base + "/meeting/message", json: ["text": "正在封箱"])
            return Date().timeIntervalSince(t0) * 1000
        }
        var usual: [Double] = []
        for _ in 0..<20 { usual.append(await probe()) }
        let probeUsual = percentile(usual.sorted(), 0.5)
        let probing = Task { () async -> (worst: Double, count: Int) in
            var worst = 0.0, count = 0
            while !Task.isCancelled {
                worst = max(worst, await probe())
                count += 1
            }
            return (worst, count)
        }
        let sealStart = Date()
        _ = try await api.object(.POST, base + "/rounds/\(roundID)/seal")
        let sealMilliseconds = Date().timeIntervalSince(sealStart) * 1000
        probing.cancel()
        let held = await probing.value
        let sealHold = max(0, held.worst - probeUsual)
        let rounds = try await api.object(.GET, base + "/rounds") as! [[String: Any]]
        let stored = rounds.first { ($0["id"] as? String) == roundID }?["receivedElectronic"] as? Int ?? -1
        let receiptList = try await voteAPI.object(.GET, "/api/v1/rounds/\(roundID)/receipts") as! [String: Any]
        let published = Set(receiptList["receipts"] as! [String])
        let acknowledged = ok.compactMap(\.2)
        let lost = acknowledged.filter { !published.contains($0) }.count
        let doubled = max(0, stored - Set(acknowledged).count)

        // The same server's /healthz, same concurrency, same run.
        let healthRequests = max(voters, 2000)
        let healthBase = server.base
        let healthStart = Date()
        let health = await concurrently(healthRequests, width: width) { _ -> Int in
            do {
                let response = try await client.execute(HTTPClientRequest(url: healthBase + "/healthz"), timeout: .seconds(30))
                _ = try await response.body.collect(upTo: 1 << 16)
                return Int(response.status.code)
            } catch { return 0 }
        }
        let healthSeconds = Date().timeIntervalSince(healthStart)
        let perSecond = Double(ok.count) / seconds
        let healthPerSecond = Double(health.filter { $0 == 200 }.count) / healthSeconds
        let failures = Dictionary(grouping: results.filter { $0.0 != 200 }, by: \.0).mapValues(\.count)
        if !failures.isEmpty { print("non-200 answers: \(failures)") }
        print("ballots: voters=\(voters) ok=\(ok.count) lost=\(lost) doubled=\(doubled) per_s=\(format(perSecond, 0)) " +
              "p50_ms=\(format(percentile(latencies, 0.5))) p99_ms=\(format(percentile(latencies, 0.99))) " +
              "healthz_per_s=\(format(healthPerSecond, 0)) ratio=\(format(perSecond / healthPerSecond, 3)) seal_ms=\(format(sealMilliseconds, 0)) " +
              "seal_hold_ms=\(format(sealHold, 0)) probe_ms=\(format(probeUsual, 1)) probes_during_seal=\(held.count)")
    }

}

/// Waits for /healthz (up to 30 s); fails at once if the server process has exited.
func waitUntilUp(_ api: API, server: ServerProcess) async throws {
    for _ in 0..<300 {
        guard server.process.isRunning else { throw BenchError.failed("pingyi serve exited; see its log") }
        if let reply = try? await api.send(.GET, "/healthz"), reply.status == 200 { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    throw BenchError.failed("server did not start")
}

/// The demo campaign in its meeting with `voters` extra attendees checked in and a round open: one code each.
struct OpenBox {
    var base: String
    var roundID: String
    var codes: [String]
    var reportees: [String]
    var forms: [(id: String, columns: Int)]

    /// A complete ballot in the compact form the voting page sends, grades from a generator seeded with `seed`.
    func ballot(seed: UInt64) -> [String: [String: String]] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1
        var ballot: [String: [String: String]] = [:]
        for reportee in reportees {
            for form in forms {
                ballot[reportee, default: [:]][form.id] = String((0..<form.columns).map { _ -> Character in
                    state ^= state << 13; state ^= state >> 7; state ^= state << 17
                    return Character(String(state % 4 + 1))
                })
            }
        }
        return ballot
    }
}

/// Logs in as the first admin unless `api` has a token, imports and checks in the voters, opens a round: in the campaign
/// `campaignID`, or the first one listed (the demo, on a fresh server).
func openBallotBox(_ api: inout API, voters: Int, campaignID: String? = nil) async throws -> OpenBox {
    if api.token == nil { try await logIn(&api) }
    var listed: String?
    if campaignID == nil { listed = (try await api.object(.GET, "/api/v1/campaigns") as! [[String: Any]])[0]["id"] as? String }
    guard let campaignID = campaignID ?? listed else { throw BenchError.failed("no campaign") }
    let base = "/api/v1/campaigns/\(campaignID)"
    let detail = try await api.object(.GET, base) as! [String: Any]
    let groups = (detail["raterGroups"] as! [[String: Any]]).map { $0["name"] as! String }

    // N attendees of the bench unit, spread over the rater groups, all checked in.
    var csv = "姓名,单位,身份,评议人类别\n"
    for i in 0..<voters { csv += "评议人\(i),压测单位,出席,\(groups[i % groups.count])\n" }
    _ = try await api.object(.POST, base + "/participants/import", raw: Data(csv.utf8))
    _ = try await api.object(.POST, base + "/status", json: ["status": "meeting"])
    let people = try await api.object(.GET, base + "/participants") as! [[String: Any]]
    let benchPeople = people.filter { ($0["unitName"] as? String) == "压测单位" }.map { $0["id"] as! String }
    let adminAPI = api
    let checkIns = await concurrently(benchPeople.count, width: 50) { i in
        (try? await adminAPI.send(.POST, base + "/check-in", json: ["participantID": benchPeople[i]]))?.status ?? 0
    }
    guard checkIns.allSatisfy({ $0 == 200 }) else {
        throw BenchError.failed("check-in failed: \(Dictionary(grouping: checkIns, by: { $0 }).mapValues(\.count))")
    }
    // A round opens with at most 2,000 codes (issue 22); more are issued as 补发投票码, 100 a request, as a chair would.
    let groupIDs = (detail["raterGroups"] as! [[String: Any]]).map { $0["id"] as! String }
    var wanted = [Int](repeating: 0, count: groupIDs.count)
    for i in 0..<voters { wanted[i % groupIDs.count] += 1 }
    var atOpening = wanted
    while atOpening.reduce(0, +) > 2000 { atOpening[atOpening.firstIndex(of: atOpening.max()!)!] -= 1 }
    let request: [String: Any] = voters > 2000
        ? ["codes": Dictionary(uniqueKeysWithValues: zip(groupIDs, atOpening)), "paperSheets": [String: Int]()] : [:]
    let opened = try await api.object(.POST, base + "/rounds", json: request) as! [String: Any]
    let roundID = (opened["round"] as! [String: Any])["id"] as! String
    var codes = (opened["codes"] as! [[String: Any]]).map { $0["code"] as! String }
    if voters > 2000 {
        for (g, groupID) in groupIDs.enumerated() {
            var missing = wanted[g] - atOpening[g]
            while missing > 0 {
                let batch = min(100, missing)
                let extra = try await api.object(.POST, base + "/rounds/\(roundID)/codes", json: ["raterGroupID": groupID, "count": batch]) as! [String: Any]
                codes += (extra["codes"] as! [[String: Any]]).map { $0["code"] as! String }
                missing -= batch
            }
        }
    }
    guard codes.count >= voters else { throw BenchError.failed("only \(codes.count) codes for \(voters) voters") }
    var voteAPI = api
    voteAPI.token = nil
    let spec = try await voteAPI.object(.POST, "/api/v1/vote/check", json: ["code": codes[0]]) as! [String: Any]
    let reportees = (spec["reportees"] as! [[String: Any]]).map { $0["id"] as! String }
    let forms = (spec["forms"] as! [[String: Any]]).map { (id: $0["id"] as! String, columns: ($0["columns"] as! [Any]).count) }
    return OpenBox(base: base, roundID: roundID, codes: codes, reportees: reportees, forms: forms)
}

/// One line on standard output at once (print is block-buffered into a pipe, and a long run should show progress).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
