import Foundation
import PingyiCore
import Vapor

struct CampaignSummaryDTO: Content {
    var id: UUID
    var title: String
    var year: Int
    var level: String
    var levelLabel: String
    var status: String
    var statusLabel: String
    var isDemo: Bool
    var orgUnitID: UUID

    init(_ campaign: Campaign) throws {
        id = try campaign.requireID()
        title = campaign.title
        year = campaign.year
        level = campaign.level.rawValue
        levelLabel = campaign.level.label
        status = campaign.status.rawValue
        statusLabel = campaign.status.label
        isDemo = campaign.isDemo
        orgUnitID = campaign.$orgUnit.id
    }
}

struct RaterGroupDTO: Content {
    var id: UUID
    var name: String
    var position: Int
    var weight: Double?
    var attendees: Int
}

struct ReportInfoDTO: Content {
    var fileName: String
    var contentType: String
    var byteCount: Int
    var sha256: String
}

struct ReporteeDTO: Content {
    var id: UUID
    var name: String
    var unitName: String
    var title: String
    var mode: String
    var modeLabel: String
    var position: Int
    var timeLimitSeconds: Int
    var orgUnitID: UUID?
    var userID: UUID?
    var report: ReportInfoDTO?

    init(_ reportee: Reportee, report: ReportInfoDTO?) throws {
        id = try reportee.requireID()
        name = reportee.name
        unitName = reportee.unitName
        title = reportee.title
        mode = reportee.mode.rawValue
        modeLabel = reportee.mode.label
        position = reportee.position
        timeLimitSeconds = reportee.timeLimitSeconds
        orgUnitID = reportee.$orgUnit.id
        userID = reportee.$user.id
        self.report = report
    }
}

struct ParticipantCountsDTO: Content {
    var attendees: Int
    var observers: Int
    var guests: Int
}

struct CampaignPermissionsDTO: Content {
    var manage: Bool
    var viewParticipants: Bool
}

struct CampaignDetailDTO: Content {
    var campaign: CampaignSummaryDTO
    var forms: [FormTemplate]
    var rules: EvaluationRules
    var raterGroups: [RaterGroupDTO]
    var reportees: [ReporteeDTO]
    var participants: ParticipantCountsDTO
    var permissions: CampaignPermissionsDTO
    /// What the reader may do with this campaign now (absent without an account).
    var may: CampaignCapabilities?
    /// The participants' reading link, for those who manage the campaign.
    var materialsPath: String?
    var materialsPublic: Bool
    var nextStatus: String?
    /// 筹备清单, for those who manage the campaign.
    var readiness: [ReadinessItem]?
}

struct CampaignCreateRequest: Content {
    var title: String
    var year: Int
    var level: String
    var orgUnitID: UUID
    /// Copy forms, rules, rater groups, reportees and participants from this campaign instead of the seed template.
    var copyFrom: UUID?
}

struct CampaignUpdateRequest: Content {
    var title: String?
    var year: Int?
    var level: String?
    var materialsPublic: Bool?
}

struct StatusChangeRequest: Content {
    var status: String
}

struct FormColumnInput: Content {
    var id: String?
    var name: String
    var kind: String
}

struct FormInput: Content {
    var id: String?
    var name: String
    var columns: [FormColumnInput]
}

struct RaterGroupCreateRequest: Content {
    var name: String
    var weight: Double?
}

struct RaterGroupUpdateRequest: Content {
    var name: String?
    var position: Int?
}

struct ReporteeCreateRequest: Content {
    var name: String
    var unitName: String
    var title: String?
    var mode: String
    var timeLimitSeconds: Int?
    var orgUnitID: UUID?
    var userID: UUID?
}

struct ReporteeUpdateRequest: Content {
    var name: String?
    var unitName: String?
    var title: String?
    var mode: String?
    var timeLimitSeconds: Int?
    var position: Int?
    var orgUnitID: UUID?
    var userID: UUID?

    /// Only the secretary's account is set: allowed in every phase but 归档.
    var onlyLinksAnAccount: Bool {
        userID != nil && name == nil && unitName == nil && title == nil && mode == nil && timeLimitSeconds == nil
            && position == nil && orgUnitID == nil
    }
}

struct ParticipantDTO: Content {
    var id: UUID
    var name: String
    var unitName: String
    var role: String
    var roleLabel: String
    var raterGroupID: UUID?
    var position: Int
    var checkedInAt: Date?
    var checkInCode: String?

    init(_ participant: Participant) throws {
        id = try participant.requireID()
        name = participant.name
        unitName = participant.unitName
        role = participant.role.rawValue
        roleLabel = participant.role.label
        raterGroupID = participant.$raterGroup.id
        position = participant.position
        checkedInAt = participant.checkedInAt
        checkInCode = participant.checkInCode
    }
}

struct ParticipantInput: Content {
    var name: String
    var unitName: String?
    var role: String
    var raterGroupID: UUID?
}

struct ParticipantUpdateRequest: Content {
    var name: String?
    var unitName: String?
    var role: String?
    var raterGroupID: UUID?
}

struct AuditEntryDTO: Content {
    var id: UUID
    var at: Date
    var actor: String
    var action: String
    var summary: String
    var before: String?
    var after: String?

    init(_ entry: AuditEntry) throws {
        id = try entry.requireID()
        at = entry.createdAt
        actor = entry.actorName
        action = entry.action
        summary = entry.summary
        before = entry.before
        after = entry.after
    }
}

struct DemoRemovalDTO: Content {
    var removedCampaigns: Int
    var removedOrgUnits: Int
}
