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
            for _ in 0..<LoginPolicy.maxFailures {
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

    @Test func theLockExpiresAfterFifteenMinutes() async throws {
        let throttle = LoginThrottle()
        let key = LoginThrottle.Key(username: "clerk", client: "10.0.0.9")
        let start = Date()
        for _ in 0..<LoginPolicy.maxFailures {
            #expect(await throttle.begin(key, now: start) == nil)
            await throttle.finish(key, succeeded: false, now: start)
        }
        #expect(await throttle.begin(key, now: start.addingTimeInterval(60)) == 14 * 60)
        #expect(await throttle.begin(key, now: start.addingTimeInterval(LoginPolicy.lockDuration)) == nil)
    }

    /// Finding 4: thirty wrong passwords sent at once were all checked and the account never locked.
    @Test(arguments: TestDatabase.available)
    func parallelGuessesAreCountedBeforeTheyAreChecked(database: TestDatabase) async throws {
        try await withApp(database) { app in
            try await makeUser(app, username: "clerk", role: .campaignAdmin)
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for i in 0..<30 {
                    group.addTask { try await call(app, .POST, "api/v1/session", json: ["username": "clerk", "password": "guess-\(i)"]).status }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .unauthorized }.count == LoginPolicy.maxFailures, "\(statuses)")
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 30 - LoginPolicy.maxFailures)
            try expectError(try await call(app, .POST, "api/v1/session", json: ["username": "clerk", "password": "password123"]),
                            .tooManyRequests, code: "locked")
        }
    }

    /// Finding 4: the lock-out answered only for real accounts, a way to learn which names exist.
    @Test func unknownNamesAreSlowedExactlyLikeRealOnes() async throws {
        try await withApp(.sqlite) { app in
            try await makeUser(app, username: "clerk", role: .campaignAdmin)
            var answers: [String: [String]] = [:]
            for name in ["clerk", "nobody"] {
                for _ in 0..<LoginPolicy.maxFailures + 2 {
                    let reply = try await call(app, .POST, "api/v1/session", json: ["username": name, "password": "wrong-password"])
                    let body = try reply.decode(ErrorBody.self)
                    answers[name, default: []].append("\(reply.status.code) \(body.code) \(body.reason)")
                }
            }
            #expect(answers["clerk"] == answers["nobody"])
        }
    }

    /// Finding 4: any stranger could lock `admin` out with five tries. Now the stranger stops only themself.
    @Test func aStrangerCannotLockSomeoneElseOut() async throws {
        try await withApp(.sqlite) { app in
            try await makeUser(app, username: "clerk", role: .campaignAdmin)
            app.trustedProxies = ["127.0.0.1"]
            for _ in 0..<LoginPolicy.maxFailures + 1 {
                _ = try await callOverNetwork(app, .POST, "api/v1/session", json: ["username": "clerk", "password": "wrong-password"],
                                              headers: ["X-Forwarded-For": "203.0.113.7"])
            }
            try expectError(try await callOverNetwork(app, .POST, "api/v1/session", json: ["username": "clerk", "password": "password123"],
                                                      headers: ["X-Forwarded-For": "203.0.113.7"]), .tooManyRequests, code: "locked")
            let owner = try await callOverNetwork(app, .POST, "api/v1/session", json: ["username": "clerk", "password": "password123"],
                                                  headers: ["X-Forwarded-For": "198.51.100.20"])
            #expect(owner.status == .ok, "\(owner.text)")
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
