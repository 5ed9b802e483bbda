import Foundation
import PingyiCore
import Vapor

struct CampaignSummaryDTO: Content {
    var id: UUID
    var title: String
    var year: Int
    var level: String
    var status: String
    var statusLabel: String
    var isDemo: Bool
    var orgUnitID: UUID

    init(_ campaign: Campaign) throws {
        id = try campaign.requireID()
        title = campaign.title
        year = campaign.year
        level = campaign.level.rawValue
        status = campaign.status.rawValue
        statusLabel = campaign.status.label
        isDemo = campaign.isDemo
        orgUnitID = campaign.$orgUnit.id
    }
}

struct RaterGroupDTO: Content {
    var id: UUID
    var name: String
    var weight: Double?
}

struct ReporteeDTO: Content {
    var id: UUID
    var name: String
    var unitName: String
    var title: String
    var mode: String
    var position: Int
    var timeLimitSeconds: Int

    init(_ reportee: Reportee) throws {
        id = try reportee.requireID()
        name = reportee.name
        unitName = reportee.unitName
        title = reportee.title
        mode = reportee.mode.rawValue
        position = reportee.position
        timeLimitSeconds = reportee.timeLimitSeconds
    }
}

struct ParticipantCountsDTO: Content {
    var attendees: Int
    var observers: Int
    var guests: Int
}

struct CampaignDetailDTO: Content {
    var campaign: CampaignSummaryDTO
    var forms: [FormTemplate]
    var rules: EvaluationRules
    var raterGroups: [RaterGroupDTO]
    var reportees: [ReporteeDTO]
    var participants: ParticipantCountsDTO
}

struct DemoRemovalDTO: Content {
    var removedCampaigns: Int
    var removedOrgUnits: Int
}
