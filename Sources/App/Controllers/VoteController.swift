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
        return try await Voting.ballotPaper(facts, on: req.db)
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
