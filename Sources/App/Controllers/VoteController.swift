import Fluent
import PingyiCore
import Vapor

/// The phone's side of the ballot box over HTTP: check a code, cast one ballot with it (`Voting`).
struct VoteController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let vote = routes.grouped("api", "v1", "vote")
        vote.post("check", use: check)
        vote.post(use: submit)
    }

    @Sendable
    func check(req: Request) async throws -> VoteCheckDTO {
        let body = try req.content.decode(VoteCheckRequest.self)
        let facts = try await Voting.lookUp(body.code, client: ClientAddress.of(req), app: req.application, on: req.db)
        guard facts.roundState.acceptsElectronicBallots else { throw Voting.closed(number: facts.roundNumber, state: facts.roundState) }
        guard let campaign = try await Campaign.find(facts.campaignID, on: req.db) else { throw APIError.notFound("评议活动") }
        let reportees = try await Reportee.query(on: req.db).filter(\.$campaign.$id == facts.campaignID).sort(\.$position).all()
        let group = try await RaterGroup.find(facts.raterGroupID, on: req.db)
        return VoteCheckDTO(
            campaignTitle: campaign.title, roundNumber: facts.roundNumber, raterGroup: group?.name ?? "",
            reportees: try reportees.map { VoteReporteeDTO(id: try $0.requireID(), name: $0.name, unitName: $0.unitName, title: $0.title, mode: $0.mode.rawValue) },
            forms: campaign.forms, used: facts.used)
    }

    /// Acknowledged only after the commit (see `Voting.cast`).
    @Sendable
    func submit(req: Request) async throws -> VoteReceiptDTO {
        let body = try req.content.decode(VoteRequest.self)
        let cast = try await Voting.cast(body, client: ClientAddress.of(req), app: req.application, on: req.db)
        if !cast.alreadyRecorded { await LiveScreens.refreshSoon(cast.campaignID, app: req.application) }
        return VoteReceiptDTO(receipt: VotingCode.grouped(cast.receipt), roundNumber: cast.roundNumber, alreadyRecorded: cast.alreadyRecorded,
                              receiptsPath: "/receipts/\(cast.roundID.uuidString)")
    }
}
