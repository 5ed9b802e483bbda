import Fluent
import PingyiCore
import Vapor
#if canImport(Glibc)
import Glibc
#endif

/// `pingyi serve`: prepares the database (migrations, first admin, demo campaign), prints the URL and login, then
/// hands over to Vapor's own serve command with the same flags.
struct PingyiServeCommand: AnyAsyncCommand {
    let serve: ServeCommand

    var help: String { "启动服务器（自动迁移数据库；首次启动创建管理员并载入演示活动） / Start the server" }

    func run(using context: inout CommandContext) async throws {
        let app = context.application
        // Before the database is touched: a wrong certificate must not leave a half-started server behind.
        let tls = try ServeTLS.fromEnvironment()
        try await prepareDatabase(app)
        let report = try await bootstrap(app, adminPassword: Environment.get("PINGYI_ADMIN_PASSWORD"))
        let governor = ConnectionLimits.apply(to: app)
        if let tls {
            app.http.server.configuration.tlsConfiguration = tls.configuration
            app.servesTLS = true
        }
        try await serve.run(using: &context)
        let port = app.http.server.shared.localAddress?.port ?? app.http.server.configuration.port
        governor.start(port: port, logger: app.logger)
        let bound = app.http.server.configuration.hostname
        let scheme = tls == nil ? "http" : "https"
        let addresses = ((try? System.enumerateDevices()) ?? []).compactMap { $0.address?.ipAddress }
        let local = "\(scheme)://\(PublicAddress.isLoopback(host: bound) || bound == "::" ? "127.0.0.1" : bound):\(port)"
        let reachable = PublicAddress.reachableHost(bound: bound, addresses: addresses).map { "\(scheme)://\($0):\(port)" }
        app.detectedPublicURL = reachable
        let configured = Environment.get("PINGYI_PUBLIC_URL")
        let url = PublicAddress.baseURL(configured: configured, detected: reachable, scheme: scheme,
                                        requestHost: PublicAddress.hostName(local) + ":\(port)")
        var lines = startupLines(url: url, location: app.databaseLocation, report: report)
        if let redirectPort = tls?.redirectPort {
            let redirect = try await TLSRedirectServer.start(host: bound, port: redirectPort, httpsPort: port, publicURL: configured,
                                                             on: app.eventLoopGroup)
            app.lifecycle.use(redirect)
            let shown = PublicAddress.isLoopback(host: bound) || bound == "::" ? "127.0.0.1" : bound
            lines.insert("HTTP 跳转 / plain HTTP redirects to HTTPS: http://\(shown):\(redirect.localPort ?? redirectPort)", at: 2)
        }
        if tls != nil, !(configured ?? "").lowercased().hasPrefix("https://") {
            lines.insert("注意 / warning: 已启用 HTTPS，请把 PINGYI_PUBLIC_URL 设为证书上的名称（如 https://pingyi.example.gov.cn:\(port)），"
                         + "否则手机按 IP 地址打开会出现证书警告 / set PINGYI_PUBLIC_URL to the https name on the certificate", at: 2)
        }
        if url != local { lines.insert("本机 / this machine: \(local)", at: 2) }
        if let warning = PublicAddress.warning(for: url) { lines.insert("注意 / warning: \(warning)", at: 2) }
        if let warning = ConnectionLimits.lowLimitWarning(governor.governor) { lines.insert("注意 / warning: \(warning)", at: 2) }
        printOut(lines)
    }

    func outputHelp(using context: inout CommandContext) {
        serve.outputHelp(using: &context)
    }
}

/// What `pingyi serve` tells the person who started it.
func startupLines(url: String, location: DatabaseLocation, report: BootstrapReport) -> [String] {
    var lines = [
        "",
        "评议 Pingyi 已启动 / running at \(url)",
        "数据库 / database: \(location.displayName)",
    ]
    if let password = report.generatedAdminPassword {
        lines.append("首位管理员 / first admin: admin  密码 / password: \(password)")
        lines.append("（密码只显示这一次，请登录后修改 / shown only this once）")
    } else if report.adminCreated {
        lines.append("首位管理员 / first admin: admin  密码 / password: 取自 PINGYI_ADMIN_PASSWORD")
    } else {
        lines.append("管理员 / admin: admin（已存在 / already exists）")
    }
    if report.demoLoaded {
        lines.append("已载入演示活动 / demo campaign loaded: \(DemoCampaign.title)（标记为“演示”，登录后可一键删除，或运行 pingyi demo remove）")
    }
    lines.append("")
    return lines
}

/// Writes lines to standard output at once, even when it is a pipe.
func printOut(_ lines: [String]) {
    FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
}

/// A hall of phones must not run the server out of sockets: connections quiet (idle, or half-sent) for
/// `PINGYI_IDLE_TIMEOUT_SECONDS` (30 by default) are closed unless a request on them is being answered, the
/// open-file limit is raised to the hard limit, and near that limit idle connections are shut down first
/// (`ConnectionGovernor`), so a new vote gets in even when the hard limit itself is low.
enum ConnectionLimits {
    static let defaultIdleSeconds = 30
    /// Below this hard limit the start-up lines warn.
    static let comfortableLimit = 4096

    static func apply(to app: Application) -> ConnectionGovernorLoop {
        let seconds = Environment.get("PINGYI_IDLE_TIMEOUT_SECONDS").flatMap(Int64.init).flatMap { (1...3600).contains($0) ? $0 : nil }
            ?? Int64(defaultIdleSeconds)
        // Not Vapor's idle timer: it cannot tell a silent connection from one whose answer is being worked on.
        app.http.server.configuration.idleTimeout = nil
        let raised = raiseOpenFileLimit()
        let governor = ConnectionGovernor(limit: raised == 0 ? Int(Int32.max) : Int(min(raised, UInt64(Int32.max))),
                                          idleTimeout: TimeInterval(seconds))
        app.middleware.use(ConnectionActivityMiddleware(governor: governor), at: .beginning)
        let loop = ConnectionGovernorLoop(governor: governor)
        app.lifecycle.use(loop)
        return loop
    }

    static func lowLimitWarning(_ governor: ConnectionGovernor) -> String? {
        guard governor.limit < comfortableLimit else { return nil }
        return "打开文件数上限只有 \(governor.limit)：同时在线的连接超过约 \(governor.high) 个时先关闭空闲连接；"
            + "会场人多时请提高硬上限（ulimit -Hn 或 systemd 的 LimitNOFILE） / open-file limit \(governor.limit): idle connections are closed above about \(governor.high)"
    }

    /// Soft limit up to the hard limit; returns the soft limit now in force.
    @discardableResult
    static func raiseOpenFileLimit() -> UInt64 {
        #if canImport(Glibc)
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return UInt64(limit.rlim_cur)
        #else
        return 0
        #endif
    }
}
