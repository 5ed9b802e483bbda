import Foundation
import NIOConcurrencyHelpers
import Vapor
#if canImport(Glibc)
import Glibc
#endif

/// 连接上限与空闲超时: keeps the server's open files below its limit, so a hall of idle sockets cannot keep a voter out,
/// and closes connections that have gone quiet — but never one whose request the server is still working on.
/// Vapor does not let the app into its connection pipeline (its own idle timer counts a long handler as silence and
/// cuts it), so this works on the sockets themselves, every quarter second:
/// - a connection quiet (nothing received or sent, `TCP_INFO`) for the idle timeout is shut down, unless a request on
///   it has been received whole and is being answered, or it is a WebSocket: idle keep-alives, half-sent heads and
///   bodies that stop arriving are closed, a slow answer is not;
/// - when the process's open files come within a reserve of the limit (room for the database, the WAL and files),
///   idle connections — nothing being answered, nothing waiting to be read — are shut down first, the quietest first.
/// NIO then sees them end and closes them, and a connection waiting in the listen queue is accepted.
final class ConnectionGovernor: Sendable {
    /// What the server knows of one peer port: the requests being answered, a WebSocket held, when it last finished.
    struct Activity: Sendable {
        var requests: [ObjectIdentifier: Request] = [:]
        var held = false
    }

    let limit: Int
    let reserve: Int
    let idleTimeout: TimeInterval
    private let peers = NIOLockedValueBox<[Int: Activity]>([:])

    init(limit: Int, idleTimeout: TimeInterval) {
        self.limit = limit
        self.idleTimeout = idleTimeout
        reserve = max(64, limit / 8)
    }

    /// Open files above which idle connections are shut down, and the number they are brought back to.
    var high: Int { limit - reserve }
    var low: Int { limit - 2 * reserve }

    func began(_ request: Request, port: Int, upgrade: Bool) {
        peers.withLockedValue {
            $0[port, default: Activity()].requests[ObjectIdentifier(request)] = request
            if upgrade { $0[port]?.held = true }
        }
    }

    func ended(_ request: Request, port: Int) {
        _ = peers.withLockedValue { $0[port]?.requests.removeValue(forKey: ObjectIdentifier(request)) }
    }

    /// Received whole: its body collected, or it has none.
    static func isReceived(_ request: Request) -> Bool {
        if request.body.data != nil { return true }
        let length = request.headers.first(name: .contentLength).flatMap(Int.init) ?? 0
        return length == 0 && !request.headers.contains(name: .transferEncoding)
    }

    /// One look at the process's descriptors; returns how many connections were shut down.
    @discardableResult
    func sweep(serverPort: Int) -> Int {
        #if canImport(Glibc)
        let descriptors = Self.openDescriptors(limit: limit)
        let crowded = descriptors.count > high
        var quiet: [(fd: Int32, peer: Int)] = []
        var idle: [(fd: Int32, peer: Int, quietFor: TimeInterval)] = []
        var seen = Set<Int>()
        let known = peers.withLockedValue { $0 }
        for fd in descriptors {
            guard let peer = Self.serverConnectionPeerPort(fd, serverPort: serverPort) else { continue }
            seen.insert(peer)
            let activity = known[peer] ?? Activity()
            if activity.held { continue }
            let quietFor = Self.quietSeconds(fd)
            if !activity.requests.isEmpty {
                // Being answered: never cut. Only a request whose body stopped arriving is.
                if !activity.requests.values.allSatisfy(Self.isReceived), quietFor >= idleTimeout { quiet.append((fd, peer)) }
                continue
            }
            if Self.hasPendingBytes(fd) { continue }
            if quietFor >= idleTimeout { quiet.append((fd, peer)) } else if crowded { idle.append((fd, peer, quietFor)) }
        }
        // Forget peers whose connection is gone.
        peers.withLockedValue { peers in peers = peers.filter { seen.contains($0.key) || !$0.value.requests.isEmpty } }
        let room = crowded ? max(0, descriptors.count - low - quiet.count) : 0
        var closed = 0
        for candidate in quiet + idle.sorted(by: { $0.quietFor > $1.quietFor }).prefix(room).map({ ($0.fd, $0.peer) }) {
            // Checked again just before: the descriptor may have been closed and reused, or a request begun.
            guard Self.serverConnectionPeerPort(candidate.0, serverPort: serverPort) == candidate.1,
                  peers.withLockedValue({ peers in
                      let now = peers[candidate.1] ?? Activity()
                      return !now.held && now.requests.values.allSatisfy { !Self.isReceived($0) }
                  }) else { continue }
            if shutdown(candidate.0, Int32(SHUT_RDWR)) == 0 { closed += 1 }
        }
        return closed
        #else
        return 0
        #endif
    }

    #if canImport(Glibc)
    /// The process's open descriptors, from /proc/self/fd: what is open, not every number up to the limit (at a limit of
    /// 20,000, four sweeps a second were 80,000 `fstat` calls, 8 % of an instance's time in the district bench, issue
    /// 25). At the limit that listing cannot be opened, which is when the sweep matters most: then every number under
    /// the limit is looked at with `fstat`, which needs no descriptor of its own.
    static func openDescriptors(limit: Int) -> [Int32] {
        if let dir = opendir("/proc/self/fd") {
            defer { closedir(dir) }
            let own = dirfd(dir)
            var result: [Int32] = []
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if let fd = Int32(name), fd != own { result.append(fd) }
            }
            return result
        }
        var info = stat()
        return (0..<Int32(min(limit, 1 << 20))).filter { fstat($0, &info) == 0 }
    }

    /// The peer's port if `fd` is a connection accepted on `serverPort` (not the listening socket, not a connection
    /// this process made to its database).
    static func serverConnectionPeerPort(_ fd: Int32, serverPort: Int) -> Int? {
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK else { return nil }
        guard port(of: fd, local: true) == serverPort else { return nil }
        return port(of: fd, local: false)
    }

    private static func port(of fd: Int32, local: Bool) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { local ? getsockname(fd, $0, &length) : getpeername(fd, $0, &length) }
        }
        guard status == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) } }
        case AF_INET6:
            return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) } }
        default:
            return nil
        }
    }

    /// Seconds since the connection last received or sent data.
    private static func quietSeconds(_ fd: Int32) -> TimeInterval {
        var info = tcp_info()
        var length = socklen_t(MemoryLayout<tcp_info>.size)
        guard getsockopt(fd, Int32(IPPROTO_TCP), TCP_INFO, &info, &length) == 0 else { return 0 }
        return TimeInterval(min(info.tcpi_last_data_recv, info.tcpi_last_data_sent)) / 1000
    }

    /// A request arriving (bytes not yet read by the server) makes a connection busy.
    private static func hasPendingBytes(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT)) > 0
    }
    #endif
}

/// Tells the governor which connections are answering a request (by the peer's port) and which became WebSockets.
struct ConnectionActivityMiddleware: AsyncMiddleware {
    let governor: ConnectionGovernor

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // The socket's own peer (not a forwarded address).
        guard let port = request.remoteAddress?.port else { return try await next.respond(to: request) }
        governor.began(request, port: port, upgrade: request.headers[.upgrade].first?.lowercased() == "websocket")
        defer { governor.ended(request, port: port) }
        return try await next.respond(to: request)
    }
}

/// Sweeps every quarter second while the server runs.
final class ConnectionGovernorLoop: LifecycleHandler, Sendable {
    let governor: ConnectionGovernor
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    init(governor: ConnectionGovernor) { self.governor = governor }

    func start(port: Int, logger: Logger) {
        let governor = self.governor
        task.withLockedValue {
            $0 = Task {
                while !Task.isCancelled {
                    let closed = governor.sweep(serverPort: port)
                    if closed > 0 { logger.info("关闭了 \(closed) 个空闲连接（超时或接近打开文件数上限 \(governor.limit)） / closed \(closed) idle connections") }
                    try? await Task.sleep(for: .milliseconds(250))
                }
            }
        }
    }

    func shutdown(_ application: Application) {
        task.withLockedValue { $0?.cancel() }
    }
}
