import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Issue 9's crash harness. Voters cast ballots without pause while the server is killed with SIGKILL at random
/// moments and restarted (on PostgreSQL every other kill takes the database down too: postmaster and backends, all
/// SIGKILL). A voter whose request fails retries the same submission until it is acknowledged, as the voting page does.
/// At the end every acknowledged receipt must be in the sealed round's public list exactly once, the stored ballots
/// must equal the acknowledged ones and the used codes (read from the database itself), and an acknowledged code sent
/// again as a new submission must be told "used".
struct CrashBench {
    let options: Options

    struct Postgres {
        var url: String
        var dataDirectory: String
        var start: String
    }

    func run() async throws {
        let client = API.makeClient(connections: options.int("concurrency", 32) + 4)
        do {
            try await measure(client: client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    func measure(client: HTTPClient) async throws {
        guard let binary = options.string("binary") else { Bench.usage() }
        let kills = options.int("kills", 20)
        let voters = options.int("voters", kills * 120)
        let width = options.int("concurrency", 32)
        var postgres: Postgres?
        if let url = options.string("postgres-url") {
            guard let data = options.string("pg-data"), let start = options.string("pg-start") else { Bench.usage() }
            postgres = Postgres(url: url, dataDirectory: data, start: start)
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pingyi-crash-\(UUID().uuidString)")
        let environment = postgres.map { ["PINGYI_DATABASE_URL": $0.url] } ?? [:]
        let first = try ServerProcess(binary: binary, environment: environment, folder: folder)
        let port = first.port
        let server = Locked(first)
        defer { server.value.stop(keepFolder: true) }

        var api = API(client: client, base: first.base)
        try await waitUntilUp(api, server: first)
        let box = try await openBallotBox(&api, voters: voters)
        let codes = Array(box.codes.prefix(voters))
        let log = folder.appendingPathComponent("acknowledged.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let acknowledged = Locked<[Int: String]>([:])
        let logHandle = try FileHandle(forWritingTo: log)

        // The voters: each code once, retried with the same submission until a 200.
        let voteURL = first.base + "/api/v1/vote"
        let bodies: [Data] = try codes.indices.map { i in
            try JSONSerialization.data(withJSONObject: ["code": codes[i], "submissionID": "crash-\(i)-\(UUID().uuidString.prefix(8))",
                                                        "ballot": box.ballot(seed: UInt64(i))])
        }
        let refused = Locked(0)
        let voting = Task {
            await concurrently(codes.count, width: width) { i in
                for _ in 0..<1_200 {
                    var request = HTTPClientRequest(url: voteURL)
                    request.method = .POST
                    request.headers.add(name: "Content-Type", value: "application/json")
                    request.body = .bytes(ByteBuffer(data: bodies[i]))
                    if let response = try? await client.execute(request, timeout: .seconds(10)),
                       let body = try? await response.body.collect(upTo: 1 << 16) {
                        if response.status == .ok,
                           let receipt = (try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any])?["receipt"] as? String {
                            acknowledged.withValue { $0[i] = receipt }
                            logHandle.write(Data("\(i) \(receipt)\n".utf8))
                            return
                        }
                        if response.status == .conflict { refused.withValue { $0 += 1 }; return }
                    }
                    try? await Task.sleep(for: .milliseconds(50))
                }
            }
        }

        // The killer: at K random points of the flow (by acknowledged count), SIGKILL and restart.
        var generator = SystemRandomNumberGenerator()
        let marks = (0..<kills).map { _ in Int.random(in: voters / 20...(voters * 9 / 10), using: &generator) }.sorted()
        var databaseKills = 0
        for (n, mark) in marks.enumerated() {
            while acknowledged.withValue({ $0.count }) + refused.value < mark { try await Task.sleep(for: .milliseconds(5)) }
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...40, using: &generator)))
            server.value.kill()
            if let postgres, n % 2 == 1 {
                try killPostgres(dataDirectory: postgres.dataDirectory)
                databaseKills += 1
                try startPostgres(postgres.start)
            }
            let restarted = try ServerProcess(binary: binary, environment: environment, folder: folder, port: port)
            server.withValue { $0 = restarted }
            try await waitUntilUp(api, server: restarted)
            say("crash: kill \(n + 1)/\(kills) at \(mark) acknowledged\(postgres != nil && n % 2 == 1 ? " (database too)" : "")")
        }
        _ = await voting.value
        try logHandle.close()

        // Check, from the server and from the database itself.
        let ack = acknowledged.withValue { $0 }
        _ = try await api.object(.POST, box.base + "/rounds/\(box.roundID)/seal")
        let rounds = try await api.object(.GET, box.base + "/rounds") as! [[String: Any]]
        let stored = rounds.first { ($0["id"] as? String) == box.roundID }?["receivedElectronic"] as? Int ?? -1
        var publicAPI = api
        publicAPI.token = nil
        let receipts = (try await publicAPI.object(.GET, "/api/v1/rounds/\(box.roundID)/receipts") as! [String: Any])["receipts"] as! [String]
        let published = Dictionary(grouping: receipts, by: { $0 }).mapValues(\.count)
        let lost = ack.values.filter { published[$0] == nil }.count
        let doubled = published.values.filter { $0 > 1 }.count + max(0, stored - ack.count)
        let (usedCodes, rows) = try databaseCounts(postgres: postgres?.url, folder: folder, roundID: box.roundID)

        // An acknowledged code, sent again as a new submission, is "used".
        var retried = 0
        for i in ack.keys.sorted().prefix(5) {
            var request = HTTPClientRequest(url: voteURL)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: [
                "code": codes[i], "submissionID": "retry-\(i)-\(UUID().uuidString.prefix(8))", "ballot": box.ballot(seed: 99)])))
            let response = try await client.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 16)
            if response.status == .conflict, String(buffer: body).contains("code_used") { retried += 1 }
        }

        say("crash: database=\(postgres == nil ? "sqlite" : "postgres") voters=\(voters) database_kills=\(databaseKills) " +
              "unacknowledged=\(voters - ack.count) refused=\(refused.value) used_codes=\(usedCodes) ballot_rows=\(rows) " +
              "stored=\(stored) retried_used=\(retried)/5")
        guard lost == 0, doubled == 0, ack.count == voters, usedCodes == stored, rows == stored, retried == 5 else {
            say("crash: kills=\(kills) acknowledged=\(ack.count) stored=\(stored) lost=\(lost) doubled=\(doubled)")
            throw BenchError.failed("the crash harness found a fault (see the line above; server log in \(folder.path))")
        }
        server.value.stop()
        try? FileManager.default.removeItem(at: folder)
        say("crash: kills=\(kills) acknowledged=\(ack.count) stored=\(stored) lost=\(lost) doubled=\(doubled)")
    }

    /// SIGKILL for the postmaster and every process it started, like a power cut for the database.
    func killPostgres(dataDirectory: String) throws {
        let pidFile = try String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8)
        guard let postmaster = pidFile.split(separator: "\n").first.flatMap({ Int32($0) }) else {
            throw BenchError.failed("no postmaster pid in \(dataDirectory)")
        }
        let children = (try FileManager.default.contentsOfDirectory(atPath: "/proc")).compactMap(Int32.init).filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == postmaster
        }
        Glibc.kill(postmaster, SIGKILL)
        for child in children { Glibc.kill(child, SIGKILL) }
        // Gone before the restart, or the new postmaster finds the old shared memory in use.
        for _ in 0..<200 where ([postmaster] + children).contains(where: { Glibc.kill($0, 0) == 0 }) { usleep(20_000) }
    }

    func startPostgres(_ command: String) throws {
        guard shell(command + " >/dev/null") == 0 else { throw BenchError.failed("could not restart PostgreSQL: \(command)") }
    }

    /// Used codes and ballot rows of the round, straight from the database (sqlite3 or psql).
    func databaseCounts(postgres: String?, folder: URL, roundID: String) throws -> (Int, Int) {
        let sqliteID = roundID.uppercased()
        let query = postgres == nil
            ? "SELECT (SELECT count(*) FROM ballot_codes WHERE used AND upper(round_id) = '\(sqliteID)'), (SELECT count(*) FROM ballots WHERE upper(round_id) = '\(sqliteID)');"
            : "SELECT (SELECT count(*) FROM ballot_codes WHERE used AND round_id = '\(roundID)'), (SELECT count(*) FROM ballots WHERE round_id = '\(roundID)');"
        let out = folder.appendingPathComponent("counts.txt").path
        let command = postgres.map { "psql '\($0)' -tA -F '|' -c \"\(query)\"" }
            ?? "sqlite3 '\(folder.appendingPathComponent("pingyi.sqlite").path)' \"\(query)\""
        guard shell(command + " > '\(out)'") == 0 else { throw BenchError.failed("could not read the database: \(command)") }
        let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        let numbers = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").compactMap { Int($0) }
        guard numbers.count == 2 else { throw BenchError.failed("could not read the database: \(text)") }
        return (numbers[0], numbers[1])
    }
}

/// `sh -c command`, waited for with waitpid (Foundation's Process can miss the exit of a child whose own child lives
/// on, as pg_ctl's postmaster does).
func shell(_ command: String) -> Int32 {
    var pid: pid_t = 0
    let argv: [UnsafeMutablePointer<CChar>?] = [strdup("sh"), strdup("-c"), strdup(command), nil]
    defer { argv.forEach { free($0) } }
    guard posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ) == 0 else { return -1 }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    return (status >> 8) & 0xff
}
