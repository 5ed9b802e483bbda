@testable import App
import Fluent
import Foundation
import PingyiCore
import Testing
import Vapor

/// The demo campaign in its meeting with a round open: shared by the ballot and results suites.
struct Box {
    var world: World
    var meeting: MeetingDTO
    var opened: RoundOpenedDTO
    var base: String { "api/v1/campaigns/\(world.campaignID)/rounds" }
    var roundID: UUID { opened.round.id }
    var codes: [String] { opened.codes.map(\.code) }
}


protocol BallotBoxHelpers {}

extension BallotBoxHelpers {
    /// The demo in its meeting, `present` attendees checked in, and a round opened by the chair.
    /// `minimumGroupSize` is set while the campaign is still being prepared (the default is 3). `request`, given the
    /// campaign's rater groups in order, asks for the round instead (codes and paper per group).
    func openBox(_ app: Application, present: Int = 10, paperSheetsOfFirstGroup: Int? = nil, minimumGroupSize: Int? = nil,
                 request: (([RaterGroup]) -> RoundOpenRequest)? = nil) async throws -> Box {
        let world = try await World.make(app)
        if let minimumGroupSize {
            var rules = world.campaign.rules
            rules.minimumGroupSize = minimumGroupSize
            let reply = try await call(app, .PUT, "api/v1/campaigns/\(world.campaignID)/rules", token: world.token(.districtAdmin), json: rules)
            #expect(reply.status == .ok, "\(reply.text)")
        }
        _ = try await call(app, .POST, "api/v1/campaigns/\(world.campaignID)/status", token: world.token(.districtAdmin), json: ["status": "meeting"])
        let meeting = try await call(app, .GET, "api/v1/campaigns/\(world.campaignID)/meeting", token: world.token(.chair)).decode(MeetingDTO.self)
        let people = try await Participant.query(on: app.db).filter(\.$role == .attendee).sort(\.$position).all()
        for person in people.prefix(present) {
            _ = try await call(app, .POST, "api/v1/campaigns/\(world.campaignID)/check-in", token: world.token(.teller), json: CheckInRequest(participantID: person.id))
        }
        var body = RoundOpenRequest()
        let groups = try await RaterGroup.query(on: app.db).filter(\.$campaign.$id == world.campaign.id!).sort(\.$position).all()
        if let sheets = paperSheetsOfFirstGroup {
            body = RoundOpenRequest(codes: [:], paperSheets: [groups[0].id!.uuidString: sheets])
        }
        if let request { body = request(groups) }
        let reply = try await call(app, .POST, "api/v1/campaigns/\(world.campaignID)/rounds", token: world.token(.chair), json: body)
        #expect(reply.status == .created, "\(reply.text)")
        return Box(world: world, meeting: meeting, opened: try reply.decode(RoundOpenedDTO.self))
    }

    /// Tellers take `count` sheets of the first rater group out of the sealed box and number them 1, 2, …
    func numberSheets(_ app: Application, _ box: Box, count: Int) async throws {
        let group = try await RaterGroup.query(on: app.db).filter(\.$campaign.$id == box.world.campaign.id!).sort(\.$position).first()!
        for _ in 0..<count {
            let reply = try await call(app, .POST, "\(box.base)/\(box.roundID)/sheets", token: box.world.token(.teller),
                                       json: NumberSheetRequest(raterGroupID: group.id!))
            #expect(reply.status == .created, "\(reply.text)")
        }
    }

    /// `n` copies of one request at the same moment (two instances, a double click): their statuses.
    func concurrently(_ n: Int, _ request: @escaping @Sendable () async throws -> HTTPStatus) async throws -> [HTTPStatus] {
        try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
            for _ in 0..<n { group.addTask { try await request() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    func spec(_ app: Application, _ box: Box, code: String) async throws -> VoteCheckDTO {
        try await call(app, .POST, "api/v1/vote/check", json: VoteCheckRequest(code: code)).decode(VoteCheckDTO.self)
    }

    /// Every cell marked with `grade`.
    func fullMarks(_ check: VoteCheckDTO, _ grade: String = "good") -> [RawMark] {
        check.reportees.flatMap { r in check.forms.flatMap { f in f.columns.map { RawMark(reportee: r.id.uuidString, form: f.id, column: $0.id, grade: grade) } } }
    }

    func vote(_ app: Application, code: String, submission: String = UUID().uuidString, marks: [RawMark]) async throws -> Reply {
        try await call(app, .POST, "api/v1/vote", json: VoteRequest(code: code, submissionID: submission, marks: marks))
    }

    /// A second campaign of the district (a copy of the demo), in its meeting, `present` attendees checked in, its
    /// round open: its rounds' address and the opened round.
    func secondBox(_ app: Application, _ box: Box, present: Int = 4) async throws -> (base: String, opened: RoundOpenedDTO) {
        let admin = box.world.token(.districtAdmin)
        let copy = try await call(app, .POST, "api/v1/campaigns", token: admin, json: CampaignCreateRequest(
            title: "另一场述职评议", year: box.world.campaign.year, level: "district", orgUnitID: box.world.district.id!,
            copyFrom: box.world.campaign.id)).decode(CampaignDetailDTO.self).campaign
        #expect(try await call(app, .POST, "api/v1/campaigns/\(copy.id)/status", token: admin, json: ["status": "meeting"]).status == .ok)
        let people = try await Participant.query(on: app.db).filter(\.$campaign.$id == copy.id).filter(\.$role == .attendee)
            .sort(\.$position).all()
        for person in people.prefix(present) {
            _ = try await call(app, .POST, "api/v1/campaigns/\(copy.id)/check-in", token: box.world.token(.teller),
                               json: CheckInRequest(participantID: person.id))
        }
        let reply = try await call(app, .POST, "api/v1/campaigns/\(copy.id)/rounds", token: box.world.token(.chair), json: RoundOpenRequest())
        #expect(reply.status == .created, "\(reply.text)")
        return ("api/v1/campaigns/\(copy.id)/rounds", try reply.decode(RoundOpenedDTO.self))
    }
}
