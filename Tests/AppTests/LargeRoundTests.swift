@testable import App
import AsyncHTTPClient
import Fluent
import Foundation
import PingyiCore
import Testing
import Vapor

/// Issue 22, finding 4: a round of 10,000 codes got no answer before the 30 s idle timeout closed the connection, and
/// the answer is the only copy of the codes. A round hands out at most 2,000 codes, drawn on every core, and the
/// largest round answers, over a real connection with the server's idle timeout, with every code.
@Suite("A large round answers with its codes")
struct LargeRoundTests {
    @Test func theLargestRoundAnswersWithEveryCodeAndALargerOneIsRefused() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            let base = "api/v1/campaigns/\(world.campaignID)"
            _ = try await call(app, .POST, "\(base)/status", token: world.token(.districtAdmin), json: ["status": "meeting"])
            let groups = try await RaterGroup.query(on: app.db).filter(\.$campaign.$id == world.campaign.id!).sort(\.$position).all()
            let ids = groups.map { $0.id!.uuidString }
            // More codes than a round holds: refused at once with the reason and what to do, nothing stored.
            let huge = Dictionary(uniqueKeysWithValues: ids.map { ($0, 2000) })  // 6,000 codes, each group within its own limit
            let refused = try await call(app, .POST, "\(base)/rounds", token: world.token(.chair), json: RoundOpenRequest(codes: huge))
            try expectError(refused, .unprocessableEntity)
            #expect(try refused.decode(ErrorBody.self).reason.contains("最多发放 2000 个投票码"))
            #expect(try await BallotRound.query(on: app.db).count() == 0)
            #expect(try await BallotCode.query(on: app.db).count() == 0)
            // The largest round over a real socket: 201 and all 2,000 codes. (How long it takes is a benchmark's
            // business, not a unit test's: under a loaded test run no fixed timeout is fair.)
            let plan = [ids[0]: 700, ids[1]: 700, ids[2]: 600]
            let token = world.token(.chair)
            // A real server and client (the test client stops at 1 MB; 2,000 slips are several).
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            let port = try #require(app.http.server.shared.localAddress?.port)
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/\(base)/rounds")
            request.method = .POST
            request.headers = ["Authorization": "Bearer \(token)", "Content-Type": "application/json"]
            request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(RoundOpenRequest(codes: plan))))
            // The server is shut down whatever the request does: a server left running fails the whole test process.
            let reply: Reply
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(300))
                reply = Reply(status: response.status, headers: response.headers, body: try await response.body.collect(upTo: 64 << 20))
            } catch {
                await app.server.shutdown()
                throw error
            }
            await app.server.shutdown()
            let opened = reply
            #expect(opened.status == .created, "\(opened.text.prefix(300))")
            let dto = try opened.decode(RoundOpenedDTO.self)
            #expect(dto.codes.count == 2000 && Set(dto.codes.map(\.code)).count == 2000 && dto.codes.allSatisfy { !$0.qrSVG.isEmpty })
            #expect(try await BallotCode.query(on: app.db).count() == 2000)
        }
    }
}
