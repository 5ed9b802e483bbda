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
        let actor = try await req.actor()
        let campaign = try await findCampaign(req.parameters.get("campaignID"), for: actor, .manage, on: req.db)
        return try await Publication.query(on: req.db).filter(\.$campaign.$id == campaign.requireID())
            .sort(\.$startsAt, .descending).all().map { PublicationDTO($0) }
    }

    @Sendable
    func publish(req: Request) async throws -> Response {
        let actor = try await req.actor()
        let campaign = try await findCampaign(req.parameters.get("campaignID"), for: actor, .manage, on: req.db)
        let body = try req.content.decode(PublicationRequest.self)
        guard (1...30).contains(body.days) else { throw APIError(.unprocessableEntity, "invalid", "公示期应为 1 到 30 天") }
        guard !body.reporteeIDs.isEmpty else { throw APIError(.unprocessableEntity, "invalid", "请至少选择一名述职对象") }
        guard Set(body.reporteeIDs).count == body.reporteeIDs.count else {
            throw APIError(.unprocessableEntity, "invalid", "述职对象重复")
        }
        let title = try requireText(body.title ?? "\(campaign.title)结果公示", "公示标题", max: 200)
        let issuer = try body.issuer.map { try requireText($0, "发布单位", max: 100) }
        let contact = try optionalText(body.contact ?? "", "联系方式", max: 100)
        let objectionText = try body.objectionText.map { try requireText($0, "异议说明", max: 500) }
        guard [.meeting, .counting, .published].contains(campaign.status) else {
            throw APIError.lifecycle(.illegal(from: campaign.status, to: .published))
        }
        let report = try await requireReport(campaign, on: req.db)
        let byID = Dictionary(report.computed.results.map { ($0.reportee, $0) }, uniquingKeysWith: { a, _ in a })
        let rows = try body.reporteeIDs.map { id -> PublishedRow in
            guard let result = byID[id.uuidString], let person = report.reportee(id.uuidString) else { throw APIError.notFound("述职对象") }
            return PublishedRow(reporteeID: id, name: person.name, unitName: person.unitName, title: person.title,
                                goodRate: result.goodRate, composite: result.composite, rank: result.rank,
                                evaluationGrade: result.grade?.label, finalGrade: report.outcomes[id.uuidString]?.grade?.label)
        }.sorted { ($0.rank ?? .max, $0.name) < ($1.rank ?? .max, $1.name) }
        let now = Date()
        let publication = Publication(campaignID: try campaign.requireID(), title: title, startsAt: now,
                                      endsAt: now.addingTimeInterval(Double(body.days) * 86_400), rows: rows,
                                      publishedBy: actor.user.displayName)
        let organization = try await OrgUnit.find(campaign.$orgUnit.id, on: req.db)?.name ?? ""
        publication.issuer = issuer ?? Publication.defaultIssuer(organization)
        publication.contact = contact.isEmpty ? nil : contact
        publication.objectionText = objectionText ?? Publication.defaultObjectionText(issuer: publication.issuer!)
        try await req.db.writeTransaction { db in
            let from = try await lockedPhase(of: campaign.requireID(), on: db)
            if from == .published {
                try await ballotBoxFacts(of: campaign.requireID(), on: db).checkPublishable()
            } else {
                try await changePhase(of: campaign, to: .published, on: db)
                try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "campaign.status",
                                      summary: "活动状态：\(from.label) → \(CampaignPhase.published.label)（发布结果）",
                                      before: ["status": from.rawValue], after: ["status": CampaignPhase.published.rawValue])
            }
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "results.publish",
                                  summary: "发布结果公示“\(title)”：\(rows.count) 人，公示 \(body.days) 天", after: rows)
            let head = try await auditHead(on: db)
            publication.auditSeq = head.seq
            publication.auditHash = head.hash
            try await publication.save(on: db)
        }
        return try created(PublicationDTO(publication, now: now))
    }

    @Sendable
    func withdraw(req: Request) async throws -> PublicationDTO {
        let actor = try await req.actor()
        let campaign = try await findCampaign(req.parameters.get("campaignID"), for: actor, .manage, on: req.db)
        guard let raw = req.parameters.get("publicationID"), let id = UUID(uuidString: raw),
              let publication = try await Publication.find(id, on: req.db), publication.$campaign.id == campaign.id else {
            throw APIError.notFound("公示")
        }
        try campaign.require({ !$0.isReadOnly }, "公示")
        guard publication.withdrawnAt == nil else { throw APIError.conflict("该公示已撤回") }
        publication.withdrawnAt = Date()
        try await req.db.writeTransaction { db in
            try await publication.save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "results.withdraw",
                                  summary: "撤回结果公示“\(publication.title)”")
        }
        return PublicationDTO(publication)
    }

    /// Notices now running, newest first. Public.
    @Sendable
    func notices(req: Request) async throws -> [PublicNoticeDTO] {
        let now = Date()
        let running = try await Publication.query(on: req.db).filter(\.$withdrawnAt == nil).filter(\.$startsAt <= now)
            .filter(\.$endsAt > now).sort(\.$startsAt, .descending).with(\.$campaign).all()
        var notices: [PublicNoticeDTO] = []
        for publication in running { notices.append(try await publicNotice(publication, on: req.db)) }
        return notices
    }

    /// One notice, while it runs; afterwards it is gone from the public (404), as a paper notice is taken down.
    @Sendable
    func notice(req: Request) async throws -> PublicNoticeDTO {
        guard let raw = req.parameters.get("publicationID"), let id = UUID(uuidString: raw),
              let publication = try await Publication.query(on: req.db).filter(\.$id == id).with(\.$campaign).first(),
              publication.isShowing(at: Date()) else {
            throw APIError(.notFound, "not_found", "公示不存在或已结束")
        }
        return try await publicNotice(publication, on: req.db)
    }

    func publicNotice(_ publication: Publication, on db: any Database) async throws -> PublicNoticeDTO {
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
