import Foundation

/// 投票地址: the address printed on the slips and shown on the projector must be one the phones in the hall can
/// reach. Configured (`PINGYI_PUBLIC_URL`) wins; else, when the server listens on every interface, a non-loopback IPv4
/// address of this machine; else the address the chair's browser used. A loopback address (127.x, localhost, ::1)
/// reaches only this machine, and the console warns about it.
public enum PublicAddress {
    /// Whether `host` (a name or an address, with or without a port or brackets) reaches only this machine.
    public static func isLoopback(host: String) -> Bool {
        let name = hostName(host).lowercased()
        return name.isEmpty || name == "localhost" || name.hasSuffix(".localhost") || name.hasPrefix("127.")
            || name == "::1" || name == "0.0.0.0" || name == "::"
    }

    /// The host of `http://host:port/path`, `host:port`, `[v6]:port` or a bare host.
    public static func hostName(_ text: String) -> String {
        var rest = Substring(text)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") { return String(rest[rest.index(after: rest.startIndex)..<close]) }
        if rest.filter({ $0 == ":" }).count == 1, let colon = rest.firstIndex(of: ":") { return String(rest[..<colon]) }
        return String(rest)
    }

    /// Listening on `bound`: on every interface (`0.0.0.0`, `::`), the best non-loopback IPv4 address among
    /// `addresses` (a private LAN range first: 192.168/16, then 10/8, then 172.16/12, then any other; in the order
    /// given within a range); on one address, that address unless it is loopback. `nil` when none fits.
    public static func reachableHost(bound: String, addresses: [String]) -> String? {
        guard bound == "0.0.0.0" || bound == "::" || bound.isEmpty else { return isLoopback(host: bound) ? nil : bound }
        let candidates = addresses.filter { isIPv4($0) && !isLoopback(host: $0) && !$0.hasPrefix("169.254.") }
        func rank(_ address: String) -> Int {
            let octets = address.split(separator: ".").compactMap { Int($0) }
            if octets[0] == 192 && octets[1] == 168 { return 0 }
            if octets[0] == 10 { return 1 }
            if octets[0] == 172 && (16...31).contains(octets[1]) { return 2 }
            return 3
        }
        return candidates.enumerated().min { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }?.element
    }

    /// The base URL (no trailing slash) the slips and the projector use: `configured`, else `detected`, else the
    /// request's own scheme and host. `detected` is used only when it is not loopback (behind a proxy the server may
    /// listen on 127.0.0.1 while the browser's host is the public one).
    public static func baseURL(configured: String?, detected: String?, scheme: String, requestHost: String?) -> String {
        if let configured, !configured.isEmpty { return configured.hasSuffix("/") ? String(configured.dropLast()) : configured }
        if let detected, !isLoopback(host: detected) { return detected }
        return "\(scheme)://\(requestHost ?? "127.0.0.1:8080")"
    }

    /// The console's warning when phones cannot reach `url`; `nil` when they can.
    public static func warning(for url: String) -> String? {
        guard isLoopback(host: url) else { return nil }
        return "投票地址 \(url) 只能在本机打开，手机无法访问：请用 pingyi serve --hostname 0.0.0.0 启动（会自动使用本机的局域网地址），"
            + "或把 PINGYI_PUBLIC_URL 设为手机能访问的地址"
    }

    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in Int(part).map { (0...255).contains($0) } ?? false }
    }
}
