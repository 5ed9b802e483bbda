import App
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import PingyiCore
import Vapor

/// Issue 25's district: one PostgreSQL, two `pingyi serve` instances (requests alternate between them), years of
/// counted history loaded first (`CountedHistory`), then M meetings of the demo's shape with V voters each, every
/// meeting with a console and a projector WebSocket open. One meeting votes alone first (`single_p99_ms`); then all M
/// vote in one window with open arrivals (each voter at a random moment of the window, not a closed loop), while
/// half-way S of them seal and count (their voters arrive in the window's first half) and a system admin reads the
/// district overview every few seconds. Afterwards every round is counted and every acknowledged receipt looked for.
/// One line on standard output; progress on standard error.
struct DistrictBench {
    let options: Options

    /// One ballot's request: meeting, when it was sent and answered, the answer.
    struct Vote: Sendable {
        var meeting: Int
        var start: Date
        var end: Date
        var status: Int
        var receipt: String?
        var ms: Double { end.timeIntervalSince(start) * 1000 }
    }

    /// A seal and count of one meeting: when each began and ended.
    struct Closing: Sendable {
        var meeting: Int
        var sealStart: Date
        var sealEnd: Date
        var countEnd: Date
        var stored: Int
    }

    func run() async throws {
        guard let binary = options.string("binary"), let url = options.string("postgres-url") else { Bench.usage() }
        let meetings = options.int("meetings", 100)
        let history = options.int("history", 1000)
        let years = options.int("years", 10)
        let voters = options.int("voters", 150)

        progress("district: loading \(history) counted campaigns over \(years) years and \(meetings + 1) meetings' campaigns…")
        let fillStart = Date()
        let campaignIDs = try await withBenchDatabase(postgresURL: url) { app in
            try await CountedHistory(campaigns: history, years: years, voters: voters, seed: 20_261_206)
                .fill(on: app.db) { done in if done % 100 == 0 { progress("district: history \(done)/\(history)") } }
            return try await CountedHistory.meetingCampaigns(meetings + 1, year: 2026, on: app.db)
        }
        progress("district: loaded in \(format(Date().timeIntervalSince(fillStart), 0)) s")

        // Two instances on the one database, started one after the other (the first start creates the admin).
        var servers: [ServerProcess] = []
        defer { servers.forEach { $0.stop() } }
        try await withClient(connections: 512, loops: 1) { client, group in
            for _ in 0..<2 {
                let server = try ServerProcess(binary: binary, environment: ["PINGYI_DATABASE_URL": url])
                servers.append(server)
                try await waitUntilUp(API(client: client, base: server.base), server: server)
            }
            try await measure(servers: servers, client: client, group: group, url: url,
                              campaignIDs: campaignIDs.map(\.uuidString), voters: voters)
        }
    }

    func measure(servers: [ServerProcess], client: HTTPClient, group: MultiThreadedEventLoopGroup, url: String,
                 campaignIDs: [String], voters: Int) async throws {
        let meetings = campaignIDs.count - 1
        let sealing = min(options.int("sealing", 20), meetings)
        let window = Double(options.int("window-seconds", 60))
        let every = Double(options.int("overview-every-seconds", 3))
        // `--screens 0` opens no console or projector: what the live screens cost the voters, by difference.
        let withScreens = options.int("screens", 1) != 0
        var admin = API(client: client, base: servers[0].base)
        try await logIn(&admin)
        let apis = servers.map { API(client: client, base: $0.base, token: admin.token) }

        // Every meeting's box: attendees imported and checked in, a round open (meeting 0 is the one voting alone).
        progress("district: opening \(meetings + 1) ballot boxes…")
        let opened = await concurrently(meetings + 1, width: 4) { m -> Result<OpenBox, BenchError> in
            var api = apis[m % 2]
            do { return .success(try await openBallotBox(&api, voters: voters, campaignID: campaignIDs[m])) }
            catch { return .failure(.failed("meeting \(m): \(error)")) }
        }
        let boxes = try opened.map { try $0.get() }
        let bodies: [[Data]] = try boxes.enumerated().map { (m, box) in
            try (0..<voters).map { i in
                try JSONSerialization.data(withJSONObject: ["code": box.codes[i], "submissionID": "district-\(m)-\(i)",
                                                            "ballot": box.ballot(seed: UInt64(m * 100_000 + i))])
            }
        }

        // A console and a projector per meeting, on different instances; the projector's frames are kept with the
        // phone ballots they show.
        progress("district: opening \(2 * (meetings + 1)) live screens…")
        let screens = (0...meetings).map { _ in Locked<[(at: Date, received: Int)]>([]) }
        let consoleFrames = Locked(0)
        let ready = Locked(0)
        let configuration = WebSocketClient.Configuration(maxFrameSize: 1 << 20)
        var screenURLs: [(String, Int?)] = []
        for m in 0...meetings where withScreens {
            let meeting = try await apis[m % 2].object(.GET, boxes[m].base + "/meeting") as! [String: Any]
            let token = (meeting["projectorPath"] as! String).split(separator: "/").last!
            screenURLs.append((servers[m % 2].base.replacingOccurrences(of: "http", with: "ws") + "/live/\(token)", nil))
            screenURLs.append((servers[(m + 1) % 2].base.replacingOccurrences(of: "http", with: "ws") + "/live/\(token)", m))
        }
        let socketURLs = screenURLs
        let connected = await concurrently(socketURLs.count, width: 20) { k -> Bool in
            let (url, projectorOf) = socketURLs[k]
            do {
                try await WebSocket.connect(to: url, configuration: configuration, on: group) { socket in
                    let first = Locked(true)
                    socket.onText { _, text in
                        guard text.contains("\"type\":\"state\"") else { return }
                        if first.withValue({ was in defer { was = false }; return was }) { ready.withValue { $0 += 1 } }
                        guard let m = projectorOf else { consoleFrames.withValue { $0 += 1 }; return }
                        guard let range = text.range(of: "\"receivedPhone\":") else { return }
                        let received = Int(text[range.upperBound...].prefix { $0.isNumber }) ?? 0
                        let now = Date()
                        screens[m].withValue { $0.append((now, received)) }
                    }
                }.get()
                return true
            } catch { return false }
        }
        guard connected.allSatisfy({ $0 }) else { throw BenchError.failed("only \(connected.filter { $0 }.count) of \(socketURLs.count) screens connected") }
        for _ in 0..<600 where ready.value < socketURLs.count { try await Task.sleep(for: .milliseconds(50)) }
        guard ready.value == socketURLs.count else { throw BenchError.failed("only \(ready.value) of \(socketURLs.count) screens got their state") }

        // One meeting alone, the same arrivals as each meeting in the crowd.
        var generator = SplitMix64(seed: 20_261_206)
        func arrivals(_ meeting: Int, within seconds: Double) -> [(meeting: Int, voter: Int, at: Double)] {
            (0..<voters).map { voter -> (meeting: Int, voter: Int, at: Double) in
                (meeting, voter, Double(generator.next() % 1_000_000) / 1_000_000 * seconds)
            }
        }
        progress("district: one meeting voting alone (\(voters) voters over \(format(window, 0)) s)…")
        let alone = await cast(arrivals(0, within: window), bodies: bodies, apis: apis, client: client, done: nil)
        let singleClosing = try await close(0, box: boxes[0], api: apis[0])

        // The crowd: meetings 1...M in one window; meetings 1...S vote in its first half and seal and count half-way.
        let sealers = Set(sealing > 0 ? Array(1...sealing) : [])
        var plan: [(meeting: Int, voter: Int, at: Double)] = []
        for m in 1...meetings { plan += arrivals(m, within: sealers.contains(m) ? window * 0.45 : window) }
        plan.sort { $0.at < $1.at }
        progress("district: \(meetings) meetings, \(meetings * voters) voters over \(format(window, 0)) s; \(sealing) seal and count half-way…")
        let done = Locked([Int](repeating: 0, count: meetings + 1))
        let started = Date().addingTimeInterval(0.5)
        let loadBefore = loadAverage()
        let planned = plan
        let voting = Task { await cast(planned, bodies: bodies, apis: apis, client: client, done: done, started: started) }
        let halfway = started.addingTimeInterval(window / 2)
        let closings = Task {
            await withTaskGroup(of: Result<Closing, BenchError>.self) { tasks in
                for m in sealers.sorted() {
                    tasks.addTask {
                        await sleepUntil(halfway)
                        while done.value[m] < voters { try? await Task.sleep(for: .milliseconds(20)) }
                        do { return .success(try await close(m, box: boxes[m], api: apis[m % 2])) }
                        catch { return .failure(.failed("closing meeting \(m): \(error)")) }
                    }
                }
                var all: [Result<Closing, BenchError>] = []
                for await closing in tasks { all.append(closing) }
                return all
            }
        }
        let overview = Task { () -> [Double] in
            await sleepUntil(halfway)
            var times: [Double] = []
            let end = started.addingTimeInterval(window)
            // As an admin watching the district would: one request every `every` seconds (at least 3 in all).
            while times.count < 3 || Date() < end {
                let t0 = Date()
                guard let reply = try? await apis[times.count % 2].send(.GET, "/api/v1/overview"), reply.status == 200 else { return [] }
                times.append(Date().timeIntervalSince(t0) * 1000)
                await sleepUntil(t0.addingTimeInterval(every))
            }
            return times
        }
        let crowd = await voting.value
        let loadAfter = loadAverage()
        let halfwayClosings = try await closings.value.map { try $0.get() }
        let overviewTimes = await overview.value.sorted()
        guard !overviewTimes.isEmpty else { throw BenchError.failed("the overview failed") }

        // The rest are closed after the window (not measured), so every ballot can be looked for.
        progress("district: counting the other \(meetings - sealing) meetings…")
        let rest = (1...meetings).filter { !sealers.contains($0) }
        let restClosings = try await concurrently(rest.count, width: 2) { k -> Result<Closing, BenchError> in
            do { return .success(try await close(rest[k], box: boxes[rest[k]], api: apis[k % 2])) }
            catch { return .failure(.failed("closing meeting \(rest[k]): \(error)")) }
        }.map { try $0.get() }

        // Lost: acknowledged and not in the public list. Doubled: in it twice, or more stored than acknowledged.
        var lost = 0, doubled = 0
        var publicAPI = apis[0]
        publicAPI.token = nil
        let allVotes = alone + crowd
        for closing in [singleClosing] + halfwayClosings + restClosings {
            let acknowledged = allVotes.filter { $0.meeting == closing.meeting && $0.status == 200 }.compactMap(\.receipt)
            let list = try await publicAPI.object(.GET, "/api/v1/rounds/\(boxes[closing.meeting].roundID)/receipts") as! [String: Any]
            let published = Dictionary(grouping: list["receipts"] as! [String], by: { $0 }).mapValues(\.count)
            lost += acknowledged.filter { published[$0] == nil }.count
            doubled += published.values.filter { $0 > 1 }.count + max(0, closing.stored - Set(acknowledged).count)
        }

        // The figures.
        let ok = crowd.filter { $0.status == 200 }
        let failures = Dictionary(grouping: allVotes.filter { $0.status != 200 }, by: \.status).mapValues(\.count)
        if !failures.isEmpty { progress("district: answers other than 200: \(failures)") }
        let latencies = ok.map(\.ms).sorted()
        let singleLatencies = alone.filter { $0.status == 200 }.map(\.ms).sorted()
        let lastAnswer = ok.map(\.end).max() ?? started
        let perSecond = Double(ok.count) / max(lastAnswer.timeIntervalSince(started), 0.001)
        let p99 = percentile(latencies, 0.99), singleP99 = percentile(singleLatencies, 0.99)
        let busy = halfwayClosings.map { ($0.sealStart, $0.countEnd) }
        let otherWaits = ok.filter { vote in !sealers.contains(vote.meeting) && busy.contains { vote.start < $0.1 && vote.end > $0.0 } }
        let apart = ok.filter { vote in !busy.contains { vote.start < $0.1 && vote.end > $0.0 } }.map(\.ms).sorted()
        let sealMax = halfwayClosings.map { $0.sealEnd.timeIntervalSince($0.sealStart) * 1000 }.max() ?? 0
        let countMax = halfwayClosings.map { $0.countEnd.timeIntervalSince($0.sealEnd) * 1000 }.max() ?? 0
        let (projector, unseen) = projectorDelays(ok, screens: screens)
        let rss = servers.map { peakRSSMegabytes(pid: $0.process.processIdentifier) }.max() ?? -1
        let databaseMB = try databaseMegabytes(url: url, folder: servers[0].folder)
        progress("district: ballots answered while no seal or count ran: \(apart.count), p99_ms=\(format(percentile(apart, 0.99))); " +
                 "load average (1 min) before the crowd \(loadBefore), after \(loadAfter)")
        progress("district: seal_ms up to \(format(sealMax, 0)), count_ms up to \(format(countMax, 0)); \(otherWaits.count) ballots of other meetings answered during a seal or count; " +
                 "overview runs=\(overviewTimes.count) max_ms=\(format(overviewTimes.last ?? 0)); projector frames unseen=\(unseen); console frames=\(consoleFrames.value)")
        // Where the crowd's waiting is in time: per 5 s of the window (by when a ballot was sent), how many were sent,
        // their median and p99, and how many seals or counts ran in that stretch.
        var timeline: [String] = []
        for slot in 0..<Int((lastAnswer.timeIntervalSince(started) / 5).rounded(.up)) {
            let from = started.addingTimeInterval(Double(slot) * 5), to = from.addingTimeInterval(5)
            let sent = ok.filter { $0.start >= from && $0.start < to }.map(\.ms).sorted()
            guard !sent.isEmpty else { continue }
            let closing = busy.filter { $0.0 < to && $0.1 > from }.count
            timeline.append("\(slot * 5)s n=\(sent.count) p50=\(format(percentile(sent, 0.5), 0)) p99=\(format(percentile(sent, 0.99), 0))" +
                            (closing > 0 ? " closing=\(closing)" : ""))
        }
        progress("district: the crowd per 5 s (ms): " + timeline.joined(separator: "; "))
        say("district: meetings=\(meetings) voters=\(meetings * voters) lost=\(lost) doubled=\(doubled) per_s=\(format(perSecond, 0)) " +
            "p99_ms=\(format(p99)) single_p99_ms=\(format(singleP99)) p99_ratio=\(format(p99 / max(singleP99, 0.001), 2)) " +
            "seal_max_ms=\(format(sealMax, 0)) other_wait_max_ms=\(format(otherWaits.map(\.ms).max() ?? 0, 0)) " +
            "projector_p99_ms=\(withScreens ? format(percentile(projector, 0.99)) : "n/a") overview_ms=\(format(percentile(overviewTimes, 0.5))) " +
            "rss_mb=\(format(rss, 0)) db_mb=\(format(databaseMB, 0)) image_kb_per_page=n/a")
        guard failures.isEmpty else { throw BenchError.failed("some ballots were not acknowledged") }
    }

    /// Sends every planned ballot at its moment (seconds after `started`), alternating between the instances in the
    /// order they are sent; `done` counts each meeting's answered ballots.
    func cast(_ plan: [(meeting: Int, voter: Int, at: Double)], bodies: [[Data]], apis: [API], client: HTTPClient,
              done: Locked<[Int]>?, started: Date = Date()) async -> [Vote] {
        await withTaskGroup(of: Vote.self) { group in
            for (k, ballot) in plan.enumerated() {
                let url = apis[k % apis.count].base + "/api/v1/vote"
                let body = bodies[ballot.meeting][ballot.voter]
                group.addTask {
                    await sleepUntil(started.addingTimeInterval(ballot.at))
                    let start = Date()
                    let answer = await postBallot(client, url: url, body: body)
                    done?.withValue { $0[ballot.meeting] += 1 }
                    return Vote(meeting: ballot.meeting, start: start, end: Date(), status: answer.status, receipt: answer.receipt)
                }
            }
            var votes: [Vote] = []
            for await vote in group { votes.append(vote) }
            return votes
        }
    }

    /// 封箱 then 计票, timed; what the count stored.
    func close(_ meeting: Int, box: OpenBox, api: API) async throws -> Closing {
        let sealStart = Date()
        _ = try await api.object(.POST, box.base + "/rounds/\(box.roundID)/seal")
        let sealEnd = Date()
        let counted = try await api.object(.POST, box.base + "/rounds/\(box.roundID)/count") as! [String: Any]
        return Closing(meeting: meeting, sealStart: sealStart, sealEnd: sealEnd, countEnd: Date(),
                       stored: counted["receivedElectronic"] as? Int ?? -1)
    }

    /// From each acknowledgement to the first projector frame of its meeting showing at least as many phone ballots
    /// as had been acknowledged by then (0 when the screen showed it before the answer reached the voter).
    func projectorDelays(_ votes: [Vote], screens: [Locked<[(at: Date, received: Int)]>]) -> (sorted: [Double], unseen: Int) {
        var delays: [Double] = []
        var unseen = 0
        for (meeting, acknowledged) in Dictionary(grouping: votes, by: \.meeting) {
            let frames = screens[meeting].value.sorted { $0.at < $1.at }
            for (j, vote) in acknowledged.sorted(by: { $0.end < $1.end }).enumerated() {
                guard let frame = frames.first(where: { $0.received >= j + 1 }) else { unseen += 1; continue }
                delays.append(max(0, frame.at.timeIntervalSince(vote.end) * 1000))
            }
        }
        return (delays.sorted(), unseen)
    }

    /// pg_database_size, read with psql.
    func databaseMegabytes(url: String, folder: URL) throws -> Double {
        let out = folder.appendingPathComponent("db-size.txt").path
        guard shell("psql '\(url)' -tAc 'SELECT pg_database_size(current_database())' > '\(out)'") == 0,
              let bytes = Double((try String(contentsOfFile: out, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines))
        else { throw BenchError.failed("could not read the database's size") }
        return bytes / 1_048_576
    }
}

/// The machine's 1-minute load average (all processes, the lead's builds included).
func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.map(String.init) ?? "?"
}

/// Sleeps until `moment` (at once when it has passed).
func sleepUntil(_ moment: Date) async {
    let wait = moment.timeIntervalSinceNow
    if wait > 0 { try? await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
}

/// A progress line on standard error.
func progress(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
