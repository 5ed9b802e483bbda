import PingyiCore
import Vapor

// What an account may do with an object now, sent to the browser so that no page re-derives a role or phase rule
// (issue 23). Every field is computed from the policy the route is registered with (`Policy.admits`) and the phase
// rule its operation checks (`CampaignPhase`), never from a copy of either. `CapabilityTruthTests` checks, role by role
// and phase by phase, that each field agrees with what the route then answers.

extension CampaignAccess {
    /// Whether this access admits `role` on a campaign within the account's reach (its scope; for a secretary, a
    /// campaign they report in). The rule `findCampaign` applies after the reach check.
    func admits(_ role: User.Role) -> Bool {
        switch role {
        case .systemAdmin, .campaignAdmin: true
        case .chair, .teller, .scrutineer: self != .manage && (self != .chair || role == .chair)
        case .reportee: self == .view
        }
    }
}

extension Policy {
    /// Whether this policy lets `role` through, for an object within the account's reach.
    func admits(_ role: User.Role) -> Bool {
        let subjectAdmits = switch subject {
        case .anyone, .account: true
        case .campaign(let access): access.admits(role)
        }
        return subjectAdmits && (roles?.contains(role) ?? true)
    }

    // Named policies: the routes are registered with these, and the capabilities read them.
    static let enterPaper = Policy.campaign(.staff, roles: [.teller], refusal: "只有计票人可以录入纸质票")
    static let decidePaper = Policy.campaign(.staff, roles: [.scrutineer], refusal: "只有监票人可以裁定")
    static let extraSheets = Policy.campaign(.staff, roles: User.Role.admins.union([.chair, .scrutineer]))
    static let drawSample = Policy.campaign(.staff, roles: [.scrutineer], refusal: "只有监票人可以抽查")
    static let decideScan = Policy.campaign(.staff, roles: [.teller], refusal: "只有计票人可以确认扫描页")
    static let ruleScan = Policy.campaign(.staff, roles: [.scrutineer], refusal: "只有监票人可以裁定")
    static let discardScan = Policy.campaign(.staff, roles: [.teller, .scrutineer], refusal: "只有计票人或监票人可以剔除扫描页")
}

/// 当前用户现在对这个活动可做的事 (the `may` of the campaign detail and of the scans overview).
struct CampaignCapabilities: Content, Equatable {
    var editInfo: Bool
    var deleteCampaign: Bool
    var changeStatus: [String]
    var editSetup: Bool
    var editPeople: Bool
    var uploadReports: Bool
    var linkAccounts: Bool
    var meetingPages: Bool
    var rehearse: Bool
    var runMeeting: Bool
    var printCards: Bool
    var checkIn: Bool
    var tally: Bool
    var results: Bool
    var number: Bool
    var enter: Bool
    var decide: Bool
    var extraSheets: Bool
    var scan: Bool
    var decideScans: Bool
    var ruleScans: Bool
    var drawSample: Bool
    var dropScans: Bool

    /// Each field and what it lets the reader do (the OpenAPI document describes the fields from this list).
    static let notes: KeyValuePairs<String, String> = [
        "editInfo": "修改活动信息（标题、年度）。",
        "deleteCampaign": "删除本活动（筹备阶段、未开启过投票）。",
        "changeStatus": "可以转入的活动状态（preparing、meeting、archived）；发布经“评议结果”页的公示完成。",
        "editSetup": "修改评议表、规则、评议人类别和述职对象（仅筹备阶段）。",
        "editPeople": "增删改参会人员（筹备、会议中）。",
        "uploadReports": "上传、替换或删除述职材料。",
        "linkAccounts": "为述职对象关联账号。",
        "meetingPages": "打开会议页面（主持人控制台、签到卡、计票、纪要）。",
        "rehearse": "彩排：筹备阶段在控制台试排议程和投屏。",
        "runMeeting": "主持会议：述职、点评和开启投票轮次（会议中）。",
        "printCards": "打印签到卡。",
        "checkIn": "现场签到（会议中）。",
        "tally": "计票页和会议纪要（会议开始后）。",
        "results": "评议结果、公示与考核（会议开始后）。",
        "number": "为纸质票编号。",
        "enter": "录入纸质票（计票人）。",
        "decide": "裁定两次录入不一致的纸质票（监票人）。",
        "extraSheets": "补发纸质票。",
        "scan": "扫描上传纸质票、清点票数。",
        "decideScans": "确认扫描页的待定栏目（计票人）。",
        "ruleScans": "裁定扫描页（监票人）。",
        "drawSample": "抽查扫描页（监票人）。",
        "dropScans": "剔除扫描页（计票人、监票人）。",
    ]

    /// What `role` may do with a campaign in `phase` within its reach: the route's policy, and the phase rule its
    /// operation checks.
    static func of(_ role: User.Role, in phase: CampaignPhase) -> CampaignCapabilities {
        let manage = Policy.campaign(.manage).admits(role)
        let staff = Policy.campaign(.staff).admits(role)
        let chair = Policy.campaign(.chair).admits(role)
        return CampaignCapabilities(
            editInfo: manage && !phase.isReadOnly,
            deleteCampaign: manage && phase.allowsDeletion,
            changeStatus: manage ? phase.offeredSteps.map(\.rawValue) : [],
            editSetup: manage && phase.allowsSetupChanges,
            editPeople: manage && phase.allowsParticipantChanges,
            uploadReports: manage && phase.allowsReportChanges,
            linkAccounts: manage && phase.allowsAccountLinks,
            meetingPages: staff && !phase.isReadOnly,
            rehearse: chair && phase.allowsRehearsal,
            runMeeting: chair && phase.allowsVoting,
            printCards: staff && phase.allowsParticipantChanges,
            checkIn: staff && phase.allowsCheckIn,
            tally: staff && phase.mayHoldRounds,
            results: manage && phase.mayHoldRounds,
            number: staff,
            enter: Policy.enterPaper.admits(role),
            decide: Policy.decidePaper.admits(role),
            extraSheets: Policy.extraSheets.admits(role),
            scan: staff,
            decideScans: Policy.decideScan.admits(role),
            ruleScans: Policy.ruleScan.admits(role),
            drawSample: Policy.drawSample.admits(role),
            dropScans: Policy.discardScan.admits(role))
    }
}

/// What one scanned page offers this account now: `decide` (计票人确认), `rule` (监票人裁定，含疑似重复), `discard` (剔除).
enum ScanActions {
    static func of(state: PaperScan.State, decidedByMe: Bool, roundState: BallotRoundState, may: CampaignCapabilities) -> [String] {
        guard roundState.acceptsPaperEntry else { return [] }
        var actions: [String] = []
        if may.decideScans, state.awaitsTellerDecision, !decidedByMe { actions.append("decide") }
        if may.ruleScans, state.awaitsRuling { actions.append("rule") }
        if may.dropScans, state != .discarded { actions.append("discard") }
        return actions
    }
}

/// 当前账号可做的事 (the `may` of /api/v1/me).
struct AccountCapabilities: Content, Equatable {
    var admin: Bool
    var createRoles: [String]
    var rolesWithoutUnit: [String]
    var createTopLevelUnits: Bool
    var removeDemo: Bool
    var ownResults: Bool

    static let notes: KeyValuePairs<String, String> = [
        "admin": "管理员（系统或组织部）：账号、组织树、新建活动、整改台账管理。",
        "createRoles": "可以创建或授予的账号角色代码。",
        "rolesWithoutUnit": "其中不需要所属组织的角色代码。",
        "createTopLevelUnits": "可以创建顶级组织。",
        "removeDemo": "可以删除演示数据。",
        "ownResults": "有自己的评议结果可查（述职对象账号）。",
    ]

    static func of(_ actor: Actor) -> AccountCapabilities {
        let admin = Policy.admins.admits(actor.role)
        let assignable = admin ? User.Role.allCases.filter(actor.mayAssign) : []
        return AccountCapabilities(
            admin: admin,
            createRoles: assignable.map(\.rawValue),
            rolesWithoutUnit: assignable.filter { !$0.needsOrgUnit }.map(\.rawValue),
            createTopLevelUnits: admin && actor.mayCreateTopLevelUnits,
            removeDemo: Policy.systemAdmin.admits(actor.role),
            ownResults: actor.hasOwnResults)
    }
}
