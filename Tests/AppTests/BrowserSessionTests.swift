@testable import App
import Fluent
import Foundation
import Testing
import Vapor

@Suite("Browser sessions, CSRF and passwords")
struct BrowserSessionTests {
    /// Logs in with `mode: cookie` and returns the cookie header value and the CSRF token.
    func cookieLogin(_ app: Application, _ username: String, _ password: String = "password123") async throws -> (cookie: String, csrf: String) {
        let reply = try await call(app, .POST, "api/v1/session", json: ["username": username, "password": password, "mode": "cookie"])
        #expect(reply.status == .ok)
        let session = try reply.decode(SessionDTO.self)
        #expect(session.token == nil)
        let setCookie = try #require(reply.headers.first(name: .setCookie))
        #expect(setCookie.contains("HttpOnly"))
        #expect(setCookie.lowercased().contains("samesite=strict"))
        let value = String(setCookie.split(separator: ";")[0])
        return (value, try #require(session.csrfToken))
    }

    @Test func aCookieSessionReadsFreelyAndChangesOnlyWithTheCSRFToken() async throws {
        try await withApp(.sqlite) { app in
            // setup
            let world = try await World.make(app)
            let (cookie, csrf) = try await cookieLogin(app, "districtAdmin")
            let base = "api/v1/campaigns/\(world.campaignID)"
            // reads need no CSRF token
            let me = try await call(app, .GET, "api/v1/me", headers: ["Cookie": cookie])
            #expect(me.status == .ok)
            #expect(try me.decode(MeDTO.self).csrfToken == csrf)
            #expect(try await call(app, .GET, base, headers: ["Cookie": cookie]).status == .ok)
            // a change without the token, or with a wrong one, is refused and changes nothing
            // (A wrong token differs in its first character; "0" + rest would be the right one when it starts with 0.)
            let wrong = (csrf.first == "0" ? "1" : "0") + csrf.dropFirst()
            for headers: HTTPHeaders in [["Cookie": cookie], ["Cookie": cookie, "X-CSRF-Token": wrong]] {
                let refused = try await call(app, .PATCH, base, json: ["title": "伪造的请求"], headers: headers)
                try expectError(refused, .forbidden, code: "csrf")
            }
            #expect(try await Campaign.find(world.campaign.id, on: app.db)?.title == DemoCampaign.title)
            // with the token it goes through
            let ok = try await call(app, .PATCH, base, json: ["title": "2022年度述职评议（改）"], headers: ["Cookie": cookie, "X-CSRF-Token": csrf])
            #expect(ok.status == .ok)
            #expect(try await Campaign.find(world.campaign.id, on: app.db)?.title == "2022年度述职评议（改）")
        }
    }

    @Test func bearerRequestsNeedNoCSRFToken() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            let reply = try await call(app, .PATCH, "api/v1/campaigns/\(world.campaignID)", token: world.token(.districtAdmin),
                                       json: ["title": "用令牌修改"])
            #expect(reply.status == .ok)
        }
    }

    @Test func logoutClearsTheCookieAndEndsTheSession() async throws {
        try await withApp(.sqlite) { app in
            _ = try await World.make(app)
            let (cookie, csrf) = try await cookieLogin(app, "chair")
            let out = try await call(app, .DELETE, "api/v1/session", headers: ["Cookie": cookie, "X-CSRF-Token": csrf])
            #expect(out.status == .noContent)
            #expect(out.headers.first(name: .setCookie)?.contains("pingyi_session=;") == true)
            #expect(try await call(app, .GET, "api/v1/me", headers: ["Cookie": cookie]).status == .unauthorized)
        }
    }

    @Test func anUnknownLoginModeIsRefused() async throws {
        try await withApp(.sqlite) { app in
            try await makeUser(app, username: "clerk", role: .campaignAdmin)
            let reply = try await call(app, .POST, "api/v1/session", json: ["username": "clerk", "password": "password123", "mode": "jwt"])
            try expectError(reply, .badRequest)
        }
    }

    @Test func changingOnesPasswordEndsOtherSessionsButKeepsThisOne() async throws {
        try await withApp(.sqlite) { app in
            try await makeUser(app, username: "clerk", role: .campaignAdmin)
            let this = try await login(app, "clerk")
            let other = try await login(app, "clerk")
            // wrong current password, weak new password
            let wrong = try await call(app, .POST, "api/v1/me/password", token: this,
                                       json: ["currentPassword": "nope", "newPassword": "new-password-1"])
            try expectError(wrong, .unprocessableEntity, code: "wrong_password")
            for weak in ["short", "aaaaaaaaaa"] {
                let reply = try await call(app, .POST, "api/v1/me/password", token: this,
                                           json: ["currentPassword": "password123", "newPassword": weak])
                try expectError(reply, .unprocessableEntity, code: "weak_password")
            }
            // the change
            let changed = try await call(app, .POST, "api/v1/me/password", token: this,
                                         json: ["currentPassword": "password123", "newPassword": "new-password-1"])
            #expect(changed.status == .noContent)
            #expect(try await call(app, .GET, "api/v1/me", token: this).status == .ok)
            #expect(try await call(app, .GET, "api/v1/me", token: other).status == .unauthorized)
            _ = try await login(app, "clerk", "new-password-1")
            let audit = try await AuditEntry.query(on: app.db).filter(\.$action == "user.password").count()
            #expect(audit == 1)
        }
    }
}

