import Fluent
import PingyiCore
import Vapor

/// 活动详情: what the set-up page shows of a campaign — its forms, rules, rater groups, reportees (with their written
/// reports' metadata), participant counts, the 筹备清单 and what the reader may do with it.
func campaignDetail(_ campaign: Campaign, for actor: Actor?, on db: any Database) async throws -> CampaignDetailDTO {
    let id = try campaign.requireID()
    let groups = try await RaterGroup.query(on: db).filter(\.$campaign.$id == id).sort(\.$position).all()
    let reportees = try await Reportee.query(on: db).filter(\.$campaign.$id == id).sort(\.$position).all()
    let participants = try await Participant.query(on: db).filter(\.$campaign.$id == id).all()
    let reports = try await reportInfos(for: reportees, on: db)
    let count = { (role: ParticipantRole) in participants.filter { $0.role == role }.count }
    let manage = actor?.manages(campaign) ?? false
    let staff = actor.map { $0.isMeetingStaff && $0.scope.contains(campaign.$orgUnit.id) } ?? false
    return CampaignDetailDTO(
        campaign: try CampaignSummaryDTO(campaign),
        forms: campaign.forms,
        rules: campaign.rules,
        raterGroups: try groups.map { group in
            let groupID = try group.requireID()
            return RaterGroupDTO(id: groupID, name: group.name, position: group.position,
                                 weight: campaign.rules.raterGroupWeights[groupID.uuidString],
                                 attendees: participants.filter { $0.$raterGroup.id == groupID }.count)
        },
        reportees: try reportees.map { try ReporteeDTO($0, report: reports[$0.id!]) },
        participants: ParticipantCountsDTO(attendees: count(.attendee), observers: count(.observer), guests: count(.guest)),
        permissions: CampaignPermissionsDTO(manage: manage, viewParticipants: manage || staff),
        may: actor.map { CampaignCapabilities.of($0.role, in: campaign.status) },
        materialsPath: manage ? campaign.materialsToken.map { "/m/\($0)" } : nil,
        materialsPublic: campaign.materialsPublic,
        nextStatus: campaign.status.next?.rawValue,
        readiness: manage ? MeetingReadiness.items(readinessFacts(campaign, groups: groups, reportees: reportees,
                                                                  attendees: count(.attendee), reports: reports)) : nil)
}

/// Report metadata (no file bodies) for the given reportees.
func reportInfos(for reportees: [Reportee], on db: any Database) async throws -> [UUID: ReportInfoDTO] {
    let ids = reportees.compactMap(\.id)
    guard !ids.isEmpty else { return [:] }
    let documents = try await ReportDocument.query(on: db).filter(\.$reportee.$id ~~ ids)
        .field(\.$id).field(\.$reportee.$id).field(\.$fileName).field(\.$contentType).field(\.$byteCount).field(\.$sha256)
        .all()
    return Dictionary(documents.map { document in
        (document.$reportee.id, ReportInfoDTO(fileName: document.fileName, contentType: document.contentType,
                                              byteCount: document.byteCount, sha256: document.sha256))
    }, uniquingKeysWith: { a, _ in a })
}

/// 审计日志: a campaign's audit entries, newest first.
enum CampaignLog {
    static func entries(of campaign: Campaign, on db: any Database) async throws -> [AuditEntryDTO] {
        try await AuditEntry.query(on: db).filter(\.$campaignID == campaign.requireID())
            .sort(\.$createdAt, .descending).all().map(AuditEntryDTO.init)
    }
}

/// The people lists of a campaign.
enum CampaignRoster {
    /// 参会人员, in their order.
    static func participants(of campaign: Campaign, on db: any Database) async throws -> [ParticipantDTO] {
        try await Participant.query(on: db).filter(\.$campaign.$id == campaign.requireID())
            .sort(\.$position).all().map(ParticipantDTO.init)
    }

    /// A reportee's written report (the file itself), if there is one.
    static func report(of reportee: Reportee, on db: any Database) async throws -> ReportDocument? {
        try await ReportDocument.query(on: db).filter(\.$reportee.$id == reportee.requireID()).first()
    }
}
