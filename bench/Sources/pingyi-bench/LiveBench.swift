import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import Vapor

/// Issue 9's live benchmark: V projector screens (WebSockets on one campaign's projector link) and the chair changing
/// the screen's message C times, one change at a time. For each change: the time from sending the chair's request to
/// the moment the last screen has the new state. Also the server's peak resident memory (VmHWM).
struct LiveBench {
    let options: Options

    func run() async throws {
        guard let binary = options.string("binary") else { Bench.usage() }
        let viewers = options.int("viewers", 2000)
        let changes = options.int("changes", 40)
        let server = try ServerProcess(binary: binary)
        defer { server.stop() }
        try await withClient(connections: 8, loops: 2) { client, group in
            try await measure(server: server, client: client, group: group, viewers: viewers, changes: changes)
        }
    }

    func measure(server: ServerProcess, client: HTTPClient, group: MultiThreadedEventLoopGroup, viewers: Int, changes: Int) async throws {
        var api = API(client: client, base: server.base)
        try await waitUntilUp(api, server: server)
        try await logIn(&api)
        let campaignID = (try await api.object(.GET, "/api/v1/campaigns") as! [[String: Any]])[0]["id"] as! String
        let base = "/api/v1/campaigns/\(campaignID)"
        _ = try await api.object(.POST, base + "/status", json: ["status": "meeting"])
        let meeting = try await api.object(.GET, base + "/meeting") as! [String: Any]
        let token = (meeting["projectorPath"] as! String).split(separator: "/").last!

        // The screens: each records when it first saw each change's message.
        let seen = Locked<[Int: [Date]]>([:])
        let ready = Locked(0)
        let configuration = WebSocketClient.Configuration(maxFrameSize: 1 << 20)
        let url = server.base.replacingOccurrences(of: "http", with: "ws") + "/live/\(token)"
        let openings = await concurrently(viewers, width: 100) { _ -> Bool in
            do {
                try await WebSocket.connect(to: url, configuration: configuration, on: group) { socket in
                    let last = Locked(-1)
                    let hasState = Locked(false)
                    socket.onText { _, text in
                        if !hasState.value, text.contains("\"type\":\"state\"") {
                            hasState.withValue { $0 = true }
                            ready.withValue { $0 += 1 }
                        }
                        guard let range = text.range(of: "\"message\":\"bench-") else { return }
                        let digits = text[range.upperBound...].prefix { $0.isNumber }
                        guard let k = Int(digits), k > last.value else { return }
                        last.withValue { $0 = k }
                        let now = Date()
                        seen.withValue { $0[k, default: []].append(now) }
                    }
                }.get()
                return true
            } catch {
                return false
            }
        }
        let opened = openings.filter { $0 }.count
        guard opened == viewers else { throw BenchError.failed("only \(opened) of \(viewers) screens connected") }
        // Every screen has its first state (sent on connect) before the first change.
        for _ in 0..<600 where ready.value < viewers { try await Task.sleep(for: .milliseconds(50)) }
        guard ready.value == viewers else { throw BenchError.failed("only \(ready.value) of \(viewers) screens got their first state") }
        try await Task.sleep(for: .milliseconds(200))

        // The chair's changes, one at a time: wait until every screen has it (or 5 s), then the next.
        var lastViewerMs: [Double] = []
        var missing = 0
        for k in 0..<changes {
            let started = Date()
            _ = try await api.object(.POST, base + "/meeting/message", json: ["text": "bench-\(k)"])
            let deadline = started.addingTimeInterval(5)
            while (seen.withValue { $0[k]?.count ?? 0 }) < viewers, Date() < deadline { try await Task.sleep(for: .milliseconds(2)) }
            let arrivals = seen.withValue { $0[k] ?? [] }
            missing += viewers - arrivals.count
            lastViewerMs.append((arrivals.max() ?? deadline).timeIntervalSince(started) * 1000)
            try await Task.sleep(for: .milliseconds(100))
        }
        let sorted = lastViewerMs.sorted()
        let rss = peakRSSMegabytes(pid: server.process.processIdentifier)
        say("live: last screen per change (ms, in order): " + lastViewerMs.map { format($0, 0) }.joined(separator: " "))
        if missing > 0 { say("live: \(missing) deliveries missing") }
        say("live: viewers=\(viewers) p50_ms=\(format(percentile(sorted, 0.5))) p99_ms=\(format(percentile(sorted, 0.99))) rss_mb=\(format(rss, 0))")
        guard missing == 0 else { throw BenchError.failed("some screens never received a change") }
    }
}
