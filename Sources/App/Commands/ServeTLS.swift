import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import PingyiCore
import Vapor

/// HTTPS built in: `PINGYI_TLS_CERT` and `PINGYI_TLS_KEY` (PEM files) make `pingyi serve` speak TLS on its port, so
/// codes and ballots never cross the hall's Wi-Fi in clear. `PINGYI_TLS_REDIRECT_PORT` adds a plain-HTTP port that
/// only redirects to the HTTPS address. Both files are read and checked against each other before anything starts.
struct ServeTLS: Sendable {
    let configuration: TLSConfiguration
    let redirectPort: Int?

    static let certVariable = "PINGYI_TLS_CERT"
    static let keyVariable = "PINGYI_TLS_KEY"
    static let redirectVariable = "PINGYI_TLS_REDIRECT_PORT"

    /// `nil` when neither file is configured; a start-up error when one is missing, unreadable, not PEM, or when the
    /// key does not belong to the certificate.
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(PingyiStartupError) -> ServeTLS? {
        func setting(_ name: String) -> String? {
            environment[name].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        }
        let redirect = try redirectPort(setting(redirectVariable))
        switch (setting(certVariable), setting(keyVariable)) {
        case (nil, nil):
            if redirect != nil {
                throw .badSetting(redirectVariable, "须同时设置 \(certVariable) 和 \(keyVariable) / needs \(certVariable) and \(keyVariable)")
            }
            return nil
        case (_?, nil):
            throw .badSetting(keyVariable, "设置了 \(certVariable) 也须设置 \(keyVariable)（私钥 PEM 文件） / required with \(certVariable)")
        case (nil, _?):
            throw .badSetting(certVariable, "设置了 \(keyVariable) 也须设置 \(certVariable)（证书 PEM 文件） / required with \(keyVariable)")
        case (let certPath?, let keyPath?):
            let chain: [NIOSSLCertificate]
            do {
                try checkReadable(certPath, variable: certVariable)
                chain = try NIOSSLCertificate.fromPEMFile(certPath)
            } catch let error as PingyiStartupError {
                throw error
            } catch {
                throw .tlsFileUnreadable(certVariable, certPath, "不是 PEM 格式的证书 / not a PEM certificate")
            }
            guard !chain.isEmpty else {
                throw .tlsFileUnreadable(certVariable, certPath, "文件里没有证书 / no certificate in the file")
            }
            let key: NIOSSLPrivateKey
            do {
                try checkReadable(keyPath, variable: keyVariable)
                key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
            } catch let error as PingyiStartupError {
                throw error
            } catch {
                throw .tlsFileUnreadable(keyVariable, keyPath, "不是 PEM 格式的私钥（或私钥有密码） / not an unencrypted PEM private key")
            }
            let configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            // BoringSSL compares the key with the certificate's public key when both are set on a context.
            do {
                _ = try NIOSSLContext(configuration: configuration)
            } catch {
                throw .tlsKeyMismatch(certPath, keyPath)
            }
            return ServeTLS(configuration: configuration, redirectPort: redirect)
        }
    }

    private static func redirectPort(_ raw: String?) throws(PingyiStartupError) -> Int? {
        guard let raw else { return nil }
        guard let port = Int(raw), (1...65535).contains(port) else {
            throw .badSetting(redirectVariable, "应为 1–65535 的端口号 / must be a port number 1–65535")
        }
        return port
    }

    private static func checkReadable(_ path: String, variable: String) throws(PingyiStartupError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw .tlsFileUnreadable(variable, path, "文件不存在 / no such file")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw .tlsFileUnreadable(variable, path, "无权读取 / permission denied")
        }
    }
}

extension Application {
    private struct ServesTLSKey: StorageKey { typealias Value = Bool }

    /// Whether `serve` speaks HTTPS itself (every request on its port then came over TLS).
    var servesTLS: Bool {
        get { storage[ServesTLSKey.self] ?? false }
        set { storage[ServesTLSKey.self] = newValue }
    }
}

/// The plain-HTTP port beside the HTTPS one: every request gets a permanent redirect to the same path over HTTPS, at
/// `PINGYI_PUBLIC_URL` when that is an https address (the name on the certificate), else at the host the client asked
/// for on the HTTPS port. Nothing else is answered in clear.
final class TLSRedirectServer: LifecycleHandler, Sendable {
    private let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
    }

    static func start(host: String, port: Int, httpsPort: Int, publicURL: String?, on group: any EventLoopGroup) async throws -> TLSRedirectServer {
        let base = publicURL.flatMap { $0.lowercased().hasPrefix("https://") ? ($0.hasSuffix("/") ? String($0.dropLast()) : $0) : nil }
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(RedirectHandler(base: base, httpsPort: httpsPort))
                }
            }
            .bind(host: host, port: port).get()
        return TLSRedirectServer(channel: channel)
    }

    var localPort: Int? { channel.localAddress?.port }

    func shutdownAsync(_ application: Application) async {
        try? await channel.close()
    }

    /// The https address for a request that asked for `uri` at `host` (the Host header, maybe with a port).
    static func location(base: String?, host: String?, httpsPort: Int, uri: String) -> String {
        let path = uri.hasPrefix("/") ? uri : "/" + uri
        if let base { return base + path }
        var name = PublicAddress.hostName(host ?? "")
        if name.isEmpty { name = "127.0.0.1" }
        if name.contains(":") { name = "[\(name)]" }
        return "https://\(name)\(httpsPort == 443 ? "" : ":\(httpsPort)")\(path)"
    }

    private final class RedirectHandler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let base: String?
        let httpsPort: Int
        var head: HTTPRequestHead?

        init(base: String?, httpsPort: Int) {
            self.base = base
            self.httpsPort = httpsPort
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
            case .body:
                break
            case .end:
                guard let head else { return }
                self.head = nil
                let location = TLSRedirectServer.location(base: base, host: head.headers.first(name: "Host"), httpsPort: httpsPort,
                                                          uri: head.uri)
                var headers = HTTPHeaders()
                headers.add(name: "Location", value: location)
                headers.add(name: "Content-Length", value: "0")
                headers.add(name: "Connection", value: "close")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .permanentRedirect, headers: headers))),
                              promise: nil)
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
            }
        }
    }
}
