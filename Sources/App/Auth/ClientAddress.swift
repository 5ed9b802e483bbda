import Foundation
import Vapor

/// The client's address as the limiters see it. Forwarding headers (`X-Forwarded-For`, `X-Forwarded-Proto`) are
/// believed only when the connection comes from a proxy named in `PINGYI_TRUSTED_PROXIES` (comma-separated IP
/// addresses; none by default): anyone else could write them to spoof an address or a scheme.
enum ClientAddress {
    static func parse(_ raw: String?) -> Set<String> {
        Set((raw ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }

    /// The connection's peer; behind a trusted proxy, the nearest address in `X-Forwarded-For` that is not a proxy.
    static func of(_ req: Request) -> String {
        let proxies = req.application.trustedProxies
        let peer = req.remoteAddress?.ipAddress ?? "unknown"
        guard proxies.contains(peer) else { return peer }
        let chain = req.headers[.xForwardedFor].flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        return chain.reversed().first { !proxies.contains($0) && !$0.isEmpty } ?? peer
    }

    /// Whether the client reached us over TLS: directly, or through a trusted proxy that says so.
    static func cameOverTLS(_ req: Request) -> Bool {
        // `serve` with PINGYI_TLS_CERT answers nothing in clear on its port (the redirect port is not this app).
        if req.application.servesTLS || req.url.scheme == "https" { return true }
        guard req.application.trustedProxies.contains(req.remoteAddress?.ipAddress ?? "") else { return false }
        return req.headers.first(name: "X-Forwarded-Proto")?.lowercased() == "https"
    }
}

extension Application {
    private struct TrustedProxiesKey: StorageKey {
        typealias Value = Set<String>
    }

    /// Addresses whose forwarding headers are believed (`PINGYI_TRUSTED_PROXIES`, read by `configure`).
    var trustedProxies: Set<String> {
        get { storage[TrustedProxiesKey.self] ?? [] }
        set { storage[TrustedProxiesKey.self] = newValue }
    }
}
