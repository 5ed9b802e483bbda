import Fluent
import Foundation
import PingyiCore

/// 结果公示 as read: a campaign's publications for its admins, and the notices now running for the public.
enum Notices {
    /// A campaign's publications, newest first.
    static func publications(of campaign: Campaign, on db: any Database) async throws -> [PublicationDTO] {
        try await Publication.query(on: db).filter(\.$campaign.$id == campaign.requireID())
            .sort(\.$startsAt, .descending).all().map { PublicationDTO($0) }
    }

    /// One publication of the campaign, or 404.
    static func publication(_ rawID: String?, of campaign: Campaign, on db: any Database) async throws -> Publication {
        guard let rawID, let id = UUID(uuidString: rawID),
              let publication = try await Publication.find(id, on: db), publication.$campaign.id == campaign.id else {
            throw APIError.notFound("公示")
        }
        return publication
    }

    /// Notices now running, newest first.
    static func running(on db: any Database) async throws -> [PublicNoticeDTO] {
        let now = Date()
        let running = try await Publication.query(on: db).filter(\.$withdrawnAt == nil).filter(\.$startsAt <= now)
            .filter(\.$endsAt > now).sort(\.$startsAt, .descending).with(\.$campaign).all()
        var notices: [PublicNoticeDTO] = []
        for publication in running { notices.append(try await publicNotice(publication, on: db)) }
        return notices
    }

    /// One notice, while it runs; afterwards it is gone from the public (404), as a paper notice is taken down.
    static func showing(_ rawID: String?, on db: any Database) async throws -> PublicNoticeDTO {
        guard let rawID, let id = UUID(uuidString: rawID),
              let publication = try await Publication.query(on: db).filter(\.$id == id).with(\.$campaign).first(),
              publication.isShowing(at: Date()) else {
            throw APIError(.notFound, "not_found", "公示不存在或已结束")
        }
        return try await publicNotice(publication, on: db)
    }

    static func publicNotice(_ publication: Publication, on db: any Database) async throws -> PublicNoticeDTO {
        let unit = try await OrgUnit.find(publication.campaign.$orgUnit.id, on: db)
        let wording = publication.wording(organization: unit?.name ?? "")
        let round = try await BallotRound.query(on: db).filter(\.$campaign.$id == publication.$campaign.id).filter(\.$state == .counted)
            .filter(\.$countedAt <= publication.startsAt).sort(\.$number, .descending).first()
        return PublicNoticeDTO(id: publication.id!, title: publication.title, organization: unit?.name ?? "",
                               year: publication.campaign.year, startsAt: publication.startsAt, endsAt: publication.endsAt,
                               rows: publication.rows.items.map(PublishedRowDTO.init), issuer: wording.issuer,
                               contact: wording.contact, objectionText: wording.objectionText,
                               receiptsPath: try round.map { "/receipts/\(try $0.requireID().uuidString)" }, auditSeq: publication.auditSeq,
                               auditHash: publication.auditHash)
    }
}
