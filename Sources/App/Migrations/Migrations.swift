import Fluent

/// Every migration in the order it landed. Never edit one that has landed: add a new one.
enum PingyiMigrations {
    static let all: [any Migration] = [
        CreateOrgUnits(),
        CreateUsers(),
        CreateUserTokens(),
        CreateCampaigns(),
        CreateRaterGroups(),
        CreateReportees(),
        CreateParticipants(),
        AddReporteeAccounts(),
        CreateReportDocuments(),
        CreateAuditEntries(),
        AddCampaignMaterials(),
        AddParticipantCheckIn(),
        CreateMeetings(),
        CreateSpeeches(),
        CreateBallotBox(),
        CreatePaperSheets(),
        CreateAssessments(),
        AddCampaignAssessmentRules(),
        CreatePublications(),
        CreateRectification(),
        AddAuditChain(),
        AddPublicationAuditHead(),
        AddRoundSheetPlan(),
        AddRectificationFormerOwners(),
        AddPublicationWording(),
        CreatePaperScans(),
        AddPaperSheetRequestKey(),
        AddMissingMeetings(),
        AddRectificationResponsibleUnits(),
        CreateDocumentHeadings(),
        AddRoundTally(),
        PartitionBallotBoxByRound(),
    ]
}
