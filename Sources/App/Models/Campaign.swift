import Fluent
import Foundation
import PingyiCore

/// 年度述职评议: one review campaign.
final class Campaign: Model, @unchecked Sendable {
    static let schema = "campaigns"

    @ID(key: .id) var id: UUID?
    @Field(key: "title") var title: String
    @Field(key: "year") var year: Int
    @Field(key: "level") var level: CampaignLevel
    @Parent(key: "org_unit_id") var orgUnit: OrgUnit
    @Field(key: "status") var status: CampaignStatus
    /// 演示: created by the first start, removable in one action.
    @Field(key: "is_demo") var isDemo: Bool
    /// The forms as they were when the campaign was set up; later template changes do not reach it.
    @Field(key: "forms") var storedForms: JSONList<FormTemplate>
    var forms: [FormTemplate] {
        get { storedForms.items }
        set { storedForms = JSONList(newValue) }
    }
    @Field(key: "rules") var rules: EvaluationRules
    /// The token of the participants' reading link (述职材料); `nil` until first needed.
    @OptionalField(key: "materials_token") var materialsToken: String?
    @Field(key: "materials_public") var materialsPublic: Bool
    @OptionalField(key: "assessment_rules") var storedAssessmentRules: AssessmentRules?
    /// 考核规则; the standard weights until an admin sets others.
    var assessmentRules: AssessmentRules { storedAssessmentRules ?? .standard }
    @Children(for: \.$campaign) var raterGroups: [RaterGroup]
    @Children(for: \.$campaign) var reportees: [Reportee]
    @Children(for: \.$campaign) var participants: [Participant]
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(id: UUID? = nil, title: String, year: Int, level: CampaignLevel, orgUnitID: UUID,
         status: CampaignStatus = .preparing, isDemo: Bool = false, forms: [FormTemplate], rules: EvaluationRules) {
        self.id = id
        self.title = title
        self.year = year
        self.level = level
        self.$orgUnit.id = orgUnitID
        self.status = status
        self.isDemo = isDemo
        self.storedForms = JSONList(forms)
        self.rules = rules
        self.materialsToken = Tokens.generate()
        self.materialsPublic = false
    }
}

/// 层级 of a campaign (区镇社区三级).
enum CampaignLevel: String, Codable, CaseIterable, Sendable {
    case district, town, community

    var label: String {
        switch self {
        case .district: "区级"
        case .town: "镇（街道、部门）级"
        case .community: "社区（村）级"
        }
    }

    /// The rater groups (and weights) a new campaign of this level starts with: who rates a secretary at that level.
    var raterGroupTemplate: [(name: String, weight: Double)] {
        switch self {
        case .district: DemoCampaign.raterGroups.map { ($0.name, $0.weight) }
        case .town: [("镇（街道）领导班子成员", 0.3), ("村（社区）党组织书记", 0.3), ("党员和群众代表", 0.4)]
        case .community: [("村（社区）“两委”成员", 0.4), ("党员代表", 0.3), ("群众代表", 0.3)]
        }
    }
}

typealias CampaignStatus = CampaignPhase

/// 评议人类别, e.g. 区领导 / 部门负责人 / 党代表·群众代表. Its weight lives in the campaign's rules.
final class RaterGroup: Model, @unchecked Sendable {
    static let schema = "rater_groups"

    @ID(key: .id) var id: UUID?
    @Parent(key: "campaign_id") var campaign: Campaign
    @Field(key: "name") var name: String
    @Field(key: "position") var position: Int

    init() {}

    init(id: UUID? = nil, campaignID: UUID, name: String, position: Int) {
        self.id = id
        self.$campaign.id = campaignID
        self.name = name
        self.position = position
    }
}

/// 述职对象: a secretary reporting in this campaign.
final class Reportee: Model, @unchecked Sendable {
    static let schema = "reportees"

    @ID(key: .id) var id: UUID?
    @Parent(key: "campaign_id") var campaign: Campaign
    @OptionalParent(key: "org_unit_id") var orgUnit: OrgUnit?
    /// The secretary's own account, if they have one.
    @OptionalParent(key: "user_id") var user: User?
    @Field(key: "name") var name: String
    @Field(key: "unit_name") var unitName: String
    /// 职务, e.g. 党委书记
    @Field(key: "title") var title: String
    @Field(key: "mode") var mode: ReportMode
    @Field(key: "position") var position: Int
    @Field(key: "time_limit_seconds") var timeLimitSeconds: Int

    init() {}

    init(id: UUID? = nil, campaignID: UUID, orgUnitID: UUID?, name: String, unitName: String, title: String,
         mode: ReportMode, position: Int, timeLimitSeconds: Int = ReportMode.defaultTimeLimitSeconds) {
        self.id = id
        self.$campaign.id = campaignID
        self.$orgUnit.id = orgUnitID
        self.name = name
        self.unitName = unitName
        self.title = title
        self.mode = mode
        self.position = position
        self.timeLimitSeconds = timeLimitSeconds
    }
}

enum ReportMode: String, Codable, CaseIterable, Sendable {
    /// 会上述职
    case onsite
    /// 书面述职
    case written

    static let defaultTimeLimitSeconds = 8 * 60

    var label: String { self == .onsite ? "会上述职" : "书面述职" }
}

/// 参会人员: attendees vote (出席), observers (列席) and guests (指导) never do.
final class Participant: Model, @unchecked Sendable {
    static let schema = "participants"

    @ID(key: .id) var id: UUID?
    @Parent(key: "campaign_id") var campaign: Campaign
    @Field(key: "name") var name: String
    @Field(key: "unit_name") var unitName: String
    @Field(key: "role") var role: ParticipantRole
    @OptionalParent(key: "rater_group_id") var raterGroup: RaterGroup?
    @Field(key: "position") var position: Int
    /// 签到 time; `nil` while absent.
    @OptionalField(key: "checked_in_at") var checkedInAt: Date?
    /// The personal code printed on the check-in card, typed or scanned at the door.
    @OptionalField(key: "check_in_code") var checkInCode: String?

    init() {}

    init(id: UUID? = nil, campaignID: UUID, name: String, unitName: String, role: ParticipantRole,
         raterGroupID: UUID?, position: Int) {
        self.id = id
        self.$campaign.id = campaignID
        self.name = name
        self.unitName = unitName
        self.role = role
        self.$raterGroup.id = raterGroupID
        self.position = position
    }
}

/// A list stored as one JSON object `{"items": […]}`. A bare Swift array (even behind a single-value wrapper) goes to
/// PostgreSQL as `jsonb[]`, which a `jsonb` column refuses.
struct JSONList<Element: Codable & Sendable & Hashable>: Codable, Sendable, Hashable {
    var items: [Element]

    init(_ items: [Element]) { self.items = items }
}
