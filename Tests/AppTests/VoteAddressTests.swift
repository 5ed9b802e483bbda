@testable import App
import Fluent
import Foundation
import PingyiCore
import Testing
import Vapor

/// Issue 22, finding 7: `serve --hostname 0.0.0.0` printed 127.0.0.1, and slips and the projector carried whatever
/// address the chair's browser used — a dead one when the chair sat at the server. Now the address phones reach is
/// used (configured, else found on the listening interfaces), and the console is told when it is loopback.
@Suite("投票地址 on slips, projector and console")
struct VoteAddressTests: BallotBoxHelpers {
    func meeting(_ app: Application, _ world: World, host: String) async throws -> Reply {
        try await call(app, .GET, "api/v1/campaigns/\(world.campaignID)/meeting", token: world.token(.chair), headers: ["Host": host])
    }

    @Test(arguments: TestDatabase.available)
    func theConsoleWarnsOfALoopbackAddressAndSlipsUseTheOneFound(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let box = try await openBox(app, present: 0, paperSheetsOfFirstGroup: 3)
            // The chair at the server's own browser, nothing configured or found: a dead address, and a warning.
            let local = try await meeting(app, box.world, host: "127.0.0.1:8080")
            let dto = try local.decode(MeetingDTO.self)
            #expect(dto.voteURL == "http://127.0.0.1:8080/v" && dto.voteAddressWarning?.contains("手机无法访问") == true)
            // Reached over the LAN: that address, no warning, and no key at all.
            let lan = try await meeting(app, box.world, host: "192.168.1.20:8080")
            #expect(try lan.decode(MeetingDTO.self).voteURL == "http://192.168.1.20:8080/v" && !lan.text.contains("voteAddressWarning"))
            // Listening on every interface, serve found 192.168.31.8: slips, projector and console use it, whatever the
            // chair's browser used.
            app.detectedPublicURL = "http://192.168.31.8:8080"
            let found = try await meeting(app, box.world, host: "127.0.0.1:8080").decode(MeetingDTO.self)
            #expect(found.voteURL == "http://192.168.31.8:8080/v" && found.voteAddressWarning == nil)
            let group = try #require(box.opened.paperForms.first).raterGroupID
            let extra = try await call(app, .POST, "\(box.base)/\(box.roundID)/codes", token: box.world.token(.chair),
                                       json: ExtraCodesRequest(raterGroupID: group, count: 1), headers: ["Host": "127.0.0.1:8080"])
            #expect(try extra.decode(RoundOpenedDTO.self).codes.allSatisfy { $0.url.hasPrefix("http://192.168.31.8:8080/v#") }, "\(extra.text)")
            let projector = try await call(app, .GET, String(found.projectorPath.dropFirst()), headers: ["Host": "127.0.0.1:8080"])
            #expect(projector.text.contains("http://192.168.31.8:8080/v") && !projector.text.contains("127.0.0.1:8080/v"))
        }
    }
}

/// Issue 26: `serve` with PINGYI_TLS_CERT answers only over TLS on its port (`servesTLS`): HSTS on every answer, the
/// session cookie `Secure`, and the slips' address `https://` even with no proxy header. (The real TLS handshake, the
/// refused key and the redirect port: e2e/test_tls.py against the binary.)
@Suite("HTTPS served by Pingyi itself")
struct ServedTLSTests: BallotBoxHelpers {
    @Test(arguments: TestDatabase.available)
    func hstsSecureCookiesAndHttpsSlips(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let box = try await openBox(app, present: 0, paperSheetsOfFirstGroup: 3)
            // Before: plain HTTP, no HSTS, a cookie without Secure.
            let plain = try await call(app, .POST, "api/v1/session", json: ["username": "districtAdmin", "password": "password123", "mode": "cookie"])
            #expect(plain.headers.first(name: "Strict-Transport-Security") == nil)
            #expect(try #require(plain.headers.first(name: .setCookie)).contains("Secure") == false)
            app.servesTLS = true
            let login = try await call(app, .POST, "api/v1/session", json: ["username": "districtAdmin", "password": "password123", "mode": "cookie"])
            #expect(login.status == .ok)
            #expect(login.headers.first(name: "Strict-Transport-Security") == "max-age=31536000")
            let cookie = try #require(login.headers.first(name: .setCookie))
            #expect(cookie.contains("Secure") && cookie.contains("HttpOnly"), "\(cookie)")
            for path in ["/v", "healthz", "css/pingyi.css"] {
                #expect(try await call(app, .GET, path).headers.first(name: "Strict-Transport-Security") == "max-age=31536000", "\(path)")
            }
            let meeting = try await call(app, .GET, "api/v1/campaigns/\(box.world.campaignID)/meeting", token: box.world.token(.chair),
                                         headers: ["Host": "pingyi.example.gov.cn"])
            #expect(try meeting.decode(MeetingDTO.self).voteURL == "https://pingyi.example.gov.cn/v")
        }
    }

    @Test func tlsSettingsAreCheckedBeforeServing() throws {
        #expect(try ServeTLS.fromEnvironment([:]) == nil)
        #expect(throws: PingyiStartupError.badSetting("PINGYI_TLS_REDIRECT_PORT",
                                                      "须同时设置 PINGYI_TLS_CERT 和 PINGYI_TLS_KEY / needs PINGYI_TLS_CERT and PINGYI_TLS_KEY")) {
            try ServeTLS.fromEnvironment(["PINGYI_TLS_REDIRECT_PORT": "80"])
        }
        #expect(throws: PingyiStartupError.self) { try ServeTLS.fromEnvironment(["PINGYI_TLS_CERT": "/nowhere.pem"]) }
        #expect(throws: PingyiStartupError.tlsFileUnreadable("PINGYI_TLS_CERT", "/nowhere.pem", "文件不存在 / no such file")) {
            try ServeTLS.fromEnvironment(["PINGYI_TLS_CERT": "/nowhere.pem", "PINGYI_TLS_KEY": "/nowhere.key"])
        }
        #expect(throws: PingyiStartupError.self) {
            try ServeTLS.fromEnvironment(["PINGYI_TLS_CERT": "/a", "PINGYI_TLS_KEY": "/b", "PINGYI_TLS_REDIRECT_PORT": "http"])
        }
        #expect(TLSRedirectServer.location(base: nil, host: "pingyi.test:80", httpsPort: 443, uri: "/v?x=1") == "https://pingyi.test/v?x=1")
        #expect(TLSRedirectServer.location(base: nil, host: "10.0.0.5:8081", httpsPort: 8443, uri: "/") == "https://10.0.0.5:8443/")
        #expect(TLSRedirectServer.location(base: "https://pingyi.example.gov.cn", host: "10.0.0.5", httpsPort: 443, uri: "/v")
                == "https://pingyi.example.gov.cn/v")
    }
}
