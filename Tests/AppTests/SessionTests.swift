@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Log-in sessions and bearer tokens")
struct SessionTests {
    @Test(arguments: TestDatabase.available)
    func loginReturnsATokenThatIdentifiesTheUser(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // setup
            try await makeUser(app, username: "clerk", role: .campaignAdmin)
            // call
            let token = try await login(app, "clerk")
            // check
            try await app.testing().test(.GET, "api/v1/me", headers: bearer(token)) { res in
                #expect(res.status == .ok)
                let user = try res.content.decode(MeDTO.self).user
                #expect(user.username == "clerk")
                #expect(user.role == "campaign_admin")
                #expect(user.roleLabel == "活动管理员")
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func tokensAreStoredOnlyAsHashes(database: TestDatabase) async throws {
        try await withApp(database) { app in
            try await makeUser(app, username: "clerk", role: .campaignAdmin)
            let token = try await login(app, "clerk")
            let stored = try await UserToken.query(on: app.db).all()
            #expect(stored.count == 1)
            #expect(stored[0].tokenHash == Tokens.hash(token))
            #expect(stored[0].tokenHash != token)
            #expect(token.count >= 43) // 256 bits in base64url
        }
    }

    @Test func wrongPasswordAndUnknownUserGetTheSameAnswer() async throws {
        try await withApp(.sqlite) { app in
            try await makeUser(app, username: "clerk", role: .campaignAdmin)
            for (username, password) in [("clerk", "wrong-password"), ("nobody", "password123")] {
                try await app.testing().test(.POST, "api/v1/session", beforeRequest: { req in
                    try req.content.encode(["username": username, "password": password], as: .json)
                }, afterResponse: { res in
                    try expectError(res, .unauthorized, code: "wrong_credentials")
                })
            }
            #expect(try await UserToken.query(on: app.db).count() == 0)
        }
    }

    @Test func fiveFailuresLockTheAccountEvenForTheRightPassword() async throws {
        try await withApp(.sqlite) { app in
            try await makeUser(app, username: "clerk", role: .campaignAdmin)
            for _ in 0..<LoginPolicy.maxFailures - 1 {
                try await app.testing().test(.POST, "api/v1/session", beforeRequest: { req in
                    try req.content.encode(["username": "clerk", "password": "bad-guess"], as: .json)
                }, afterResponse: { res in #expect(res.status == .unauthorized) })
            }
            try await app.testing().test(.POST, "api/v1/session", beforeRequest: { req in
                try req.content.encode(["username": "clerk", "password": "bad-guess"], as: .json)
            }, afterResponse: { res in try expectError(res, .tooManyRequests, code: "locked") })
            try await app.testing().test(.POST, "api/v1/session", beforeRequest: { req in
                try req.content.encode(["username": "clerk", "password": "password123"], as: .json)
            }, afterResponse: { res in try expectError(res, .tooManyRequests, code: "locked") })
        }
    }

    @Test func theLockExpires() async throws {
        try await withApp(.sqlite) { app in
            let user = try await makeUser(app, username: "clerk", role: .campaignAdmin)
            user.lockedUntil = Date().addingTimeInterval(-1)
            try await user.save(on: app.db)
            let outcome = try await checkLogin(username: "clerk", password: "password123", on: app.db, verifier: app.password.async)
            guard case .success = outcome else { Issue.record("expected success, got \(outcome)"); return }
            #expect(try await User.find(user.id, on: app.db)?.lockedUntil == nil)
        }
    }

    @Test func logoutRevokesTheToken() async throws {
        try await withApp(.sqlite) { app in
            try await makeUser(app, username: "clerk", role: .campaignAdmin)
            let token = try await login(app, "clerk")
            try await app.testing().test(.DELETE, "api/v1/session", headers: bearer(token)) { res in
                #expect(res.status == .noContent)
            }
            try await app.testing().test(.GET, "api/v1/me", headers: bearer(token)) { res in
                try expectError(res, .unauthorized)
            }
        }
    }

    @Test func anExpiredTokenIsRefused() async throws {
        try await withApp(.sqlite) { app in
            let user = try await makeUser(app, username: "clerk", role: .campaignAdmin)
            let issued = try await issueToken(for: user, on: app.db, now: Date().addingTimeInterval(-Tokens.lifetime - 1))
            try await app.testing().test(.GET, "api/v1/me", headers: bearer(issued.token)) { res in
                try expectError(res, .unauthorized)
            }
        }
    }

    @Test(arguments: [
        ("{bad json", "不是有效的 JSON"),
        (#"{"username": 1, "password": "x"}"#, "username"),
        (#"{"username": "clerk"}"#, "password"),
        (#"[]"#, "请求"),
        (#"{"username": "", "password": ""}"#, "请填写"),
    ])
    func badLoginBodiesGetA400NamingTheProblem(body: String, mention: String) async throws {
        try await withApp(.sqlite) { app in
            try await app.testing().test(.POST, "api/v1/session", headers: ["Content-Type": "application/json"],
                                         body: ByteBuffer(string: body)) { res in
                try expectError(res, .badRequest)
                #expect(try res.content.decode(ErrorBody.self).reason.contains(mention))
            }
            #expect(try await UserToken.query(on: app.db).count() == 0)
        }
    }

    @Test func aHugeBodyIsRefusedWith413() async throws {
        try await withApp(.sqlite) { app in
            let huge = #"{"username": ""# + String(repeating: "x", count: 2_000_000) + #"", "password": "p"}"#
            // Over a real socket: the in-memory tester hands the body over whole and skips the streaming limit.
            try await app.testing(method: .running(port: 0)).test(.POST, "api/v1/session", headers: ["Content-Type": "application/json"],
                                         body: ByteBuffer(string: huge)) { res in
                try expectError(res, .payloadTooLarge, code: "payload_too_large")
            }
        }
    }

    @Test func aGarbageTokenIsJustUnauthorized() async throws {
        try await withApp(.sqlite) { app in
            for token in ["x", String(repeating: "a", count: 5000), "Ω≈ç√"] {
                try await app.testing().test(.GET, "api/v1/me", headers: bearer(token)) { res in
                    try expectError(res, .unauthorized)
                }
            }
        }
    }
}
