import Fluent
import Foundation
import PingyiCore
import Vapor

/// 结果公示: an admin publishes chosen secretaries' results for a set period; the notice is a frozen copy, public
/// without login while it runs. Publishing moves the campaign to 已发布, which opens each secretary's own sheet to them.
extension ResultsController {
    func bootPublications(_ api: any RoutesBuilder, _ campaign: any RoutesBuilder) {
        campaign.get("publications", use: publications).requiring(.manage)
        campaign.post("publications", use: publish).requiring(.manage)
        campaign.post("publications", ":publicationID", "withdraw", use: withdraw).requiring(.manage)
        api.get("notices", use: notices).requiring(.anyone)
        api.get("notices", ":publicationID", use: notice).requiring(.anyone)
    }

    @Sendable
    func publications(req: Request) async throws -> [PublicationDTO] {
        let (actor, campaign) = try await req.campaign()
        return try await Notices.publications(of: campaign, on: req.db)
    }

    @Sendable
    func publish(req: Request) async throws -> Response {
        let (actor, campaign) = try await req.campaign()
        let body = try req.content.decode(PublicationRequest.self)
        let publication = try await Publishing.publish(body, in: campaign, by: actor, on: req.db)
        return try created(PublicationDTO(publication, now: publication.startsAt))
    }

    @Sendable
    func withdraw(req: Request) async throws -> PublicationDTO {
        let (actor, campaign) = try await req.campaign()
        let publication = try await Notices.publication(req.parameters.get("publicationID"), of: campaign, on: req.db)
        return PublicationDTO(try await Publishing.withdraw(publication, in: campaign, by: actor, on: req.db))
    }

    /// Notices now running, newest first. Public.
    @Sendable
    func notices(req: Request) async throws -> [PublicNoticeDTO] {
        try await Notices.running(on: req.db)
    }

    /// One notice, while it runs; afterwards it is gone from the public (404), as a paper notice is taken down.
    @Sendable
    func notice(req: Request) async throws -> PublicNoticeDTO {
        try await Notices.showing(req.parameters.get("publicationID"), on: req.db)
    }
}
