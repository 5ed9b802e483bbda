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
