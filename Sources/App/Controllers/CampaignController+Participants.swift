import Fluent
import PingyiCore
import Vapor

/// 参会人员: attendees (出席, with a rater group), observers (列席) and guests (指导). The work is `CampaignPeople`'s.
extension CampaignController {
    func bootParticipants(_ campaign: any RoutesBuilder) {
        let participants = campaign.grouped("participants")
        participants.get(use: listParticipants).requiring(.viewParticipants)
        participants.post(use: createParticipant).requiring(.manage)
        participants.patch(":participantID", use: updateParticipant).requiring(.manage)
        participants.delete(":participantID", use: deleteParticipant).requiring(.manage)
        participants.on(.POST, "import", body: .collect(maxSize: "5mb"), use: importParticipants).requiring(.manage)
    }

    @Sendable
    func listParticipants(req: Request) async throws -> [ParticipantDTO] {
        let (_, campaign) = try await req.campaign()
        return try await CampaignRoster.participants(of: campaign, on: req.db)
    }

    @Sendable
    func createParticipant(req: Request) async throws -> Response {
        let (actor, campaign) = try await req.campaign(allowing: \.allowsParticipantChanges, "参会人员")
        let body = try req.content.decode(ParticipantInput.self)
        return try created(try ParticipantDTO(try await CampaignPeople.addParticipant(body, to: campaign, by: actor, on: req.db)))
    }

    @Sendable
    func updateParticipant(req: Request) async throws -> ParticipantDTO {
        let (actor, campaign) = try await req.campaign(allowing: \.allowsParticipantChanges, "参会人员")
        let participant = try await req.child(Participant.self, "participantID", of: campaign, "参会人员")
        let body = try req.content.decode(ParticipantUpdateRequest.self)
        try await CampaignPeople.updateParticipant(participant, with: body, in: campaign, by: actor, on: req.db)
        return try ParticipantDTO(participant)
    }

    @Sendable
    func deleteParticipant(req: Request) async throws -> HTTPStatus {
        let (actor, campaign) = try await req.campaign(allowing: \.allowsParticipantChanges, "参会人员")
        let participant = try await req.child(Participant.self, "participantID", of: campaign, "参会人员")
        try await CampaignPeople.deleteParticipant(participant, of: campaign, by: actor, on: req.db)
        return .noContent
    }

    /// Appends the rows of a CSV or XLSX file; a file with any wrong row imports nothing.
    @Sendable
    func importParticipants(req: Request) async throws -> Response {
        let (actor, campaign) = try await req.campaign(allowing: \.allowsParticipantChanges, "参会人员")
        let file = Data(buffer: req.body.data ?? ByteBuffer())
        let count = try await CampaignPeople.importParticipants(file, into: campaign, by: actor, on: req.db)
        return try created(ImportResultDTO(imported: count))
    }
}
