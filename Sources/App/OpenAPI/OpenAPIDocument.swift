import Foundation
import PingyiCore

/// One operation of `/api/v1`, as the OpenAPI document describes it.
struct APIOperation: Sendable {
    enum Body: Sendable {
        case json(String)
        /// A file sent as the raw request body (CSV, XLSX, PDF, DOCX, TXT).
        case file
    }

    var method: String
    /// OpenAPI form, e.g. `/api/v1/campaigns/{campaignID}`.
    var path: String
    var summary: String
    var tag: String
    var authenticated: Bool = true
    var body: Body? = nil
    /// Success status and schema (`nil` for an empty body).
    var success: (status: Int, schema: JSONValue?)
    /// Error statuses this operation may answer besides 401 (on authenticated operations).
    var errors: [Int]
    var query: [String] = []
    /// Query parameters that are short words (filters), not UUIDs.
    var queryWords: [String: [String]] = [:]
    /// The success body is a file, not JSON.
    var fileResponse: Bool = false
    /// Path parameters that take one of a few words instead of a UUID.
    var pathEnums: [String: [String]] = [:]
    /// The `{token}` parameter is a link token, not a UUID.
    var tokenPath: Bool = false
    /// Path parameters that are positive integers.
    var pathIntegers: [String] = []
    /// Query parameters that are non-negative integers, and whether each is required.
    var queryIntegers: [String: Bool] = [:]
    /// Query parameters that are free text (a 公文's 版头: issuer, number, …).
    var queryTexts: [String] = []
}

/// The OpenAPI 3 description of the API. `OpenAPITests` checks it against the app's route table.
enum OpenAPIDocument {
    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }
    static func arrayOf(_ name: String) -> JSONValue { ["type": "array", "items": ref(name)] }

    static let campaign = "/api/v1/campaigns/{campaignID}"
    static let manageErrors = [400, 403, 404, 409, 422]
    /// The 版头 of a 公文 (`DocumentHeadingQuery`).
    static let headingQuery = ["issuer", "number", "recipients", "copyTo", "date"]
    static let ledgerWords: [String: [String]] = [
        "state": RectificationState.allCases.map(\.rawValue), "source": RectificationSource.allCases.map(\.rawValue),
        "overdue": ["true", "false"],
    ]

    static let operations: [APIOperation] = [
        APIOperation(method: "post", path: "/api/v1/session", summary: "登录：换取访问令牌，或设置浏览器会话 (log in)",
                     tag: "会话", authenticated: false, body: .json("LoginRequest"), success: (200, ref("Session")), errors: [400, 401, 429]),
        APIOperation(method: "delete", path: "/api/v1/session", summary: "注销当前令牌或会话 (log out)", tag: "会话",
                     success: (204, nil), errors: [403]),
        APIOperation(method: "get", path: "/api/v1/me", summary: "当前用户 (the current user)", tag: "会话",
                     success: (200, ref("Me")), errors: []),
        APIOperation(method: "post", path: "/api/v1/me/password", summary: "修改自己的密码 (change own password)", tag: "会话",
                     body: .json("PasswordChange"), success: (204, nil), errors: [400, 403, 422]),

        APIOperation(method: "get", path: "/api/v1/users", summary: "账号列表 (accounts in scope)", tag: "账号",
                     success: (200, arrayOf("UserAdmin")), errors: [403]),
        APIOperation(method: "post", path: "/api/v1/users", summary: "新建账号 (create an account)", tag: "账号",
                     body: .json("UserCreate"), success: (201, ref("UserAdmin")), errors: [400, 403, 404, 409, 422]),
        APIOperation(method: "patch", path: "/api/v1/users/{userID}", summary: "修改账号、重置密码、解锁 (update an account)", tag: "账号",
                     body: .json("UserUpdate"), success: (200, ref("UserAdmin")), errors: [400, 403, 404, 422]),
        APIOperation(method: "delete", path: "/api/v1/users/{userID}", summary: "删除账号 (delete an account)", tag: "账号",
                     success: (204, nil), errors: [403, 404, 422]),

        APIOperation(method: "get", path: "/api/v1/org-units", summary: "组织树（权限范围内） (org units in scope)", tag: "组织",
                     success: (200, arrayOf("OrgUnit")), errors: []),
        APIOperation(method: "post", path: "/api/v1/org-units", summary: "新建组织 (create an org unit)", tag: "组织",
                     body: .json("OrgUnitCreate"), success: (201, ref("OrgUnit")), errors: [400, 403, 404, 422]),
        APIOperation(method: "patch", path: "/api/v1/org-units/{unitID}", summary: "修改或移动组织 (update or move)", tag: "组织",
                     body: .json("OrgUnitUpdate"), success: (200, ref("OrgUnit")), errors: [400, 403, 404, 409, 422]),
        APIOperation(method: "delete", path: "/api/v1/org-units/{unitID}", summary: "删除组织 (delete an unused unit)", tag: "组织",
                     success: (204, nil), errors: [403, 404, 409]),
        APIOperation(method: "post", path: "/api/v1/org-units/import", summary: "从 CSV/XLSX 导入组织（有错误则全部不导入）", tag: "组织",
                     body: .file, success: (201, ref("ImportResult")), errors: [400, 403, 404, 413, 422], query: ["parent"]),

        APIOperation(method: "get", path: "/api/v1/campaigns", summary: "可见的评议活动 (campaigns in scope)", tag: "评议活动",
                     success: (200, arrayOf("CampaignSummary")), errors: []),
        APIOperation(method: "post", path: "/api/v1/campaigns", summary: "新建评议活动（标准模板或复制） (create a campaign)", tag: "评议活动",
                     body: .json("CampaignCreate"), success: (201, ref("CampaignDetail")), errors: [400, 403, 404, 422]),
        APIOperation(method: "get", path: campaign, summary: "评议活动详情 (campaign detail)", tag: "评议活动",
                     success: (200, ref("CampaignDetail")), errors: [404]),
        APIOperation(method: "patch", path: campaign, summary: "修改活动信息、开关述职材料链接 (update a campaign)", tag: "评议活动",
                     body: .json("CampaignUpdate"), success: (200, ref("CampaignDetail")), errors: manageErrors),
        APIOperation(method: "delete", path: campaign, summary: "删除筹备中的评议活动 (delete a campaign in preparation)", tag: "评议活动",
                     success: (204, nil), errors: [403, 404, 409]),
        APIOperation(method: "post", path: campaign + "/status", summary: "变更活动状态 (change the lifecycle state)", tag: "评议活动",
                     body: .json("StatusChange"), success: (200, ref("CampaignDetail")), errors: manageErrors),
        APIOperation(method: "put", path: campaign + "/forms", summary: "设置评议表 (replace the forms)", tag: "评议活动",
                     body: .json("FormInputList"), success: (200, ref("CampaignDetail")), errors: manageErrors),
        APIOperation(method: "put", path: campaign + "/rules", summary: "设置评议规则 (replace the rules)", tag: "评议活动",
                     body: .json("Rules"), success: (200, ref("CampaignDetail")), errors: manageErrors),
        APIOperation(method: "get", path: campaign + "/audit", summary: "操作日志 (audit log)", tag: "评议活动",
                     success: (200, arrayOf("AuditEntry")), errors: [403, 404]),

        APIOperation(method: "post", path: campaign + "/rater-groups", summary: "新增评议人类别 (add a rater group)", tag: "评议人类别",
                     body: .json("RaterGroupCreate"), success: (201, ref("CampaignDetail")), errors: manageErrors),
        APIOperation(method: "patch", path: campaign + "/rater-groups/{groupID}", summary: "修改评议人类别 (rename or reorder)", tag: "评议人类别",
                     body: .json("RaterGroupUpdate"), success: (200, ref("CampaignDetail")), errors: manageErrors),
        APIOperation(method: "delete", path: campaign + "/rater-groups/{groupID}", summary: "删除评议人类别 (remove an empty group)", tag: "评议人类别",
                     success: (200, ref("CampaignDetail")), errors: [403, 404, 409]),

        APIOperation(method: "post", path: campaign + "/reportees", summary: "新增述职对象 (add a reportee)", tag: "述职对象",
                     body: .json("ReporteeCreate"), success: (201, ref("CampaignDetail")), errors: manageErrors),
        APIOperation(method: "patch", path: campaign + "/reportees/{reporteeID}", summary: "修改述职对象、调整顺序 (update or reorder)", tag: "述职对象",
                     body: .json("ReporteeUpdate"), success: (200, ref("CampaignDetail")), errors: manageErrors),
        APIOperation(method: "delete", path: campaign + "/reportees/{reporteeID}", summary: "删除述职对象 (remove a reportee)", tag: "述职对象",
                     success: (200, ref("CampaignDetail")), errors: [403, 404, 409]),
        APIOperation(method: "post", path: campaign + "/reportees/import", summary: "从 CSV/XLSX 导入述职对象（有错误则全部不导入）", tag: "述职对象",
                     body: .file, success: (201, ref("ImportResult")), errors: [400, 403, 404, 409, 413, 422]),
        APIOperation(method: "put", path: campaign + "/reportees/{reporteeID}/report", summary: "上传书面述职材料（PDF/DOCX/TXT，≤20 MB）", tag: "述职对象",
                     body: .file, success: (200, ref("ReportInfo")), errors: [403, 404, 409, 413, 415, 422]),
        APIOperation(method: "get", path: campaign + "/reportees/{reporteeID}/report", summary: "下载书面述职材料 (download the report)", tag: "述职对象",
                     success: (200, nil), errors: [404], fileResponse: true),
        APIOperation(method: "delete", path: campaign + "/reportees/{reporteeID}/report", summary: "删除书面述职材料 (delete the report)", tag: "述职对象",
                     success: (204, nil), errors: [403, 404, 409]),

        APIOperation(method: "get", path: campaign + "/participants", summary: "参会人员名单 (participants)", tag: "参会人员",
                     success: (200, arrayOf("Participant")), errors: [403, 404]),
        APIOperation(method: "post", path: campaign + "/participants", summary: "新增参会人员 (add a participant)", tag: "参会人员",
                     body: .json("ParticipantCreate"), success: (201, ref("Participant")), errors: manageErrors),
        APIOperation(method: "patch", path: campaign + "/participants/{participantID}", summary: "修改参会人员 (update a participant)", tag: "参会人员",
                     body: .json("ParticipantUpdate"), success: (200, ref("Participant")), errors: manageErrors),
        APIOperation(method: "delete", path: campaign + "/participants/{participantID}", summary: "删除参会人员 (remove a participant)", tag: "参会人员",
                     success: (204, nil), errors: [403, 404, 409]),
        APIOperation(method: "post", path: campaign + "/participants/import", summary: "从 CSV/XLSX 导入参会人员（有错误则全部不导入）", tag: "参会人员",
                     body: .file, success: (201, ref("ImportResult")), errors: [400, 403, 404, 409, 413, 422]),

        APIOperation(method: "get", path: campaign + "/meeting", summary: "会议状态与主持人控制台数据 (the live meeting)", tag: "会议",
                     success: (200, ref("Meeting")), errors: [403, 404]),
        APIOperation(method: "put", path: campaign + "/meeting/agenda", summary: "编辑会议议程 (replace the agenda)", tag: "会议",
                     body: .json("AgendaInputList"), success: (200, ref("Meeting")), errors: manageErrors),
        APIOperation(method: "post", path: campaign + "/meeting/current", summary: "进入某项议程 (move to an agenda item)", tag: "会议",
                     body: .json("CurrentItem"), success: (200, ref("Meeting")), errors: manageErrors),
        APIOperation(method: "post", path: campaign + "/meeting/message", summary: "设置大屏提示语 (the projector's message)", tag: "会议",
                     body: .json("Message"), success: (200, ref("Meeting")), errors: manageErrors),
        APIOperation(method: "post", path: campaign + "/speeches/{reporteeID}/{action}",
                     summary: "会上述职计时：start 开始、pause 暂停、resume 继续、end 结束", tag: "会议",
                     success: (200, ref("Meeting")), errors: [403, 404, 409, 422], pathEnums: ["action": ["start", "pause", "resume", "end"]]),
        APIOperation(method: "post", path: campaign + "/speeches/{reporteeID}/comment", summary: "主持人点评，或记录不点评 (the chair's comment)",
                     tag: "会议", body: .json("Comment"), success: (200, ref("Meeting")), errors: manageErrors),
        APIOperation(method: "get", path: campaign + "/attendance", summary: "签到统计与是否过半数 (attendance and quorum)", tag: "签到",
                     success: (200, ref("AttendanceSummary")), errors: [403, 404]),
        APIOperation(method: "post", path: campaign + "/check-in", summary: "签到：按人员或签到卡上的签到码 (check in)", tag: "签到",
                     body: .json("CheckIn"), success: (200, ref("CheckInResult")), errors: manageErrors),
        APIOperation(method: "delete", path: campaign + "/check-in/{participantID}", summary: "撤销签到 (undo a check-in)", tag: "签到",
                     success: (200, ref("AttendanceSummary")), errors: [403, 404, 409]),
        APIOperation(method: "get", path: campaign + "/check-in-cards", summary: "签到卡（个人签到码及二维码） (check-in cards)", tag: "签到",
                     success: (200, arrayOf("CheckInCard")), errors: [403, 404]),
        APIOperation(method: "get", path: campaign + "/minutes", summary: "会议纪要 (minutes)", tag: "会议",
                     success: (200, ref("Minutes")), errors: [403, 404]),
        APIOperation(method: "get", path: "/api/v1/live/{token}", summary: "大屏状态（凭大屏链接，无需登录） (the projector's state)",
                     tag: "会议", authenticated: false, success: (200, ref("LiveState")), errors: [404], tokenPath: true),

        APIOperation(method: "get", path: campaign + "/rounds", summary: "投票轮次 (ballot rounds)", tag: "票箱",
                     success: (200, arrayOf("Round")), errors: [403, 404]),
        APIOperation(method: "post", path: campaign + "/rounds", summary: "开启新一轮投票：发放投票码（仅此一次明文）和纸质票 (open a round)",
                     tag: "票箱", body: .json("RoundOpen"), success: (201, ref("RoundOpened")), errors: manageErrors),
        APIOperation(method: "post", path: campaign + "/rounds/{roundID}/codes", summary: "补发投票码 (issue more codes)", tag: "票箱",
                     body: .json("ExtraCodes"), success: (200, ref("RoundOpened")), errors: manageErrors),
        APIOperation(method: "post", path: campaign + "/rounds/{roundID}/seal", summary: "封箱 (seal the box)", tag: "票箱",
                     success: (200, ref("Round")), errors: [403, 404, 409]),
        APIOperation(method: "post", path: campaign + "/rounds/{roundID}/count", summary: "计票与票数核对 (count and reconcile)", tag: "票箱",
                     success: (200, ref("Round")), errors: [403, 404, 409]),
        APIOperation(method: "get", path: campaign + "/rounds/{roundID}/sheets", summary: "纸质票录入情况 (paper sheets)", tag: "纸质票",
                     success: (200, ref("PaperOverview")), errors: [403, 404]),
        APIOperation(method: "post", path: campaign + "/rounds/{roundID}/sheets", summary: "从票箱取出一份纸质票并编号 (number the next sheet out of the box)",
                     tag: "纸质票", body: .json("NumberSheet"), success: (201, ref("PaperSheetStatus")), errors: manageErrors),
        APIOperation(method: "get", path: campaign + "/rounds/{roundID}/sheets/{serial}", summary: "一份纸质票的两次录入差异 (a sheet's differences)",
                     tag: "纸质票", success: (200, ref("PaperSheetDetail")), errors: [403, 404], pathIntegers: ["serial"]),
        APIOperation(method: "post", path: campaign + "/rounds/{roundID}/sheets/{serial}/entry", summary: "计票人录入一份纸质票 (key a sheet)",
                     tag: "纸质票", body: .json("PaperEntry"), success: (200, ref("PaperSheetStatus")), errors: manageErrors, pathIntegers: ["serial"]),
        APIOperation(method: "post", path: campaign + "/rounds/{roundID}/sheets/{serial}/withdraw", summary: "撤销一份未录入纸质票的编号（误点等） (withdraw a number)",
                     tag: "纸质票", success: (200, ref("PaperSheetStatus")), errors: [403, 404, 409], pathIntegers: ["serial"]),
        APIOperation(method: "post", path: campaign + "/rounds/{roundID}/sheets/{serial}/decision", summary: "监票人裁定不一致的纸质票 (decide)",
                     tag: "纸质票", body: .json("PaperEntry"), success: (200, ref("PaperSheetStatus")), errors: manageErrors, pathIntegers: ["serial"]),
        APIOperation(method: "get", path: campaign + "/rounds/{roundID}/forms/{group}/{form}/{page}",
                     summary: "一页评议表的打印图 SVG（A4 横向） (a printed form page)", tag: "纸质票", success: (200, nil),
                     errors: [403, 404, 422], fileResponse: true, pathIntegers: ["group", "form", "page"]),
        APIOperation(method: "put", path: campaign + "/rounds/{roundID}/box-counts", summary: "登记清点票数：每种评议表从票箱取出的张数 (box counts)",
                     tag: "纸质票", body: .json("BoxCounts"), success: (200, ref("PaperScans")), errors: manageErrors),
        APIOperation(method: "get", path: campaign + "/rounds/{roundID}/scans", summary: "扫描识别情况 (scanned pages)", tag: "纸质票",
                     success: (200, ref("PaperScans")), errors: [403, 404]),
        APIOperation(method: "post", path: campaign + "/rounds/{roundID}/scans", summary: "上传一页扫描件并识别 (upload a scanned page)",
                     tag: "纸质票", body: .file, success: (201, ref("PaperScan")), errors: [400, 403, 404, 409, 413, 422],
                     queryIntegers: ["width": true, "height": true, "group": false, "form": false, "page": false]),
        APIOperation(method: "post", path: campaign + "/rounds/{roundID}/scans/sample", summary: "监票人随机抽取核对样本 (draw the sample)",
                     tag: "纸质票", success: (200, ref("PaperScans")), errors: manageErrors),
        APIOperation(method: "get", path: campaign + "/rounds/{roundID}/scans/{scanID}", summary: "一页扫描件的识别结果 (a scanned page)",
                     tag: "纸质票", success: (200, ref("PaperScan")), errors: [403, 404]),
        APIOperation(method: "get", path: campaign + "/rounds/{roundID}/scans/{scanID}/image", summary: "扫描页（校正后）或其中一行的 PNG 图像 (page image)",
                     tag: "纸质票", success: (200, nil), errors: [403, 404, 410, 422], fileResponse: true, queryIntegers: ["row": false]),
        APIOperation(method: "post", path: campaign + "/rounds/{roundID}/scans/{scanID}/decision", summary: "计票人确认存疑栏目 (decide unsure columns)",
                     tag: "纸质票", body: .json("ScanMarks"), success: (200, ref("PaperScan")), errors: manageErrors),
        APIOperation(method: "post", path: campaign + "/rounds/{roundID}/scans/{scanID}/ruling", summary: "监票人裁定不一致或疑似重复的扫描页 (rule)",
                     tag: "纸质票", body: .json("ScanMarks"), success: (200, ref("PaperScan")), errors: manageErrors),
        APIOperation(method: "post", path: campaign + "/rounds/{roundID}/scans/{scanID}/sample-check", summary: "监票人核对一页样本 (check a sampled page)",
                     tag: "纸质票", body: .json("ScanMarks"), success: (200, ref("PaperScan")), errors: manageErrors),
        APIOperation(method: "post", path: campaign + "/rounds/{roundID}/scans/{scanID}/discard", summary: "计票人或监票人剔除一页扫描件（计票前） (drop a page)",
                     tag: "纸质票", success: (200, ref("PaperScan")), errors: [403, 404, 409]),
        APIOperation(method: "post", path: campaign + "/rounds/{roundID}/extra-sheets", summary: "登记票箱中多出的（未发出的）选票 (extra sheets)",
                     tag: "纸质票", body: .json("ExtraSheets"), success: (200, ref("Round")), errors: manageErrors),
        APIOperation(method: "get", path: campaign + "/results", summary: "计票结果（管理员，计票后） (results of the counted round)",
                     tag: "结果", success: (200, ref("Results")), errors: [403, 404, 409]),
        APIOperation(method: "get", path: campaign + "/results/{reporteeID}", summary: "个人评议结果表（管理员；本人在发布后） (a result sheet)",
                     tag: "结果", success: (200, ref("ResultSheet")), errors: [403, 404, 409]),
        APIOperation(method: "get", path: campaign + "/results/{reporteeID}/charts/{chart}", summary: "结果图表 SVG (a chart)",
                     tag: "结果", success: (200, nil), errors: [403, 404, 409], fileResponse: true, pathEnums: ["chart": ["grades", "groups"]]),
        APIOperation(method: "get", path: campaign + "/results/{reporteeID}/history", summary: "历年评议结果 (year over year)",
                     tag: "结果", success: (200, arrayOf("HistoryEntry")), errors: [403, 404, 409]),
        APIOperation(method: "get", path: campaign + "/results.xlsx", summary: "导出结果 XLSX（汇总表和个人表） (export XLSX)",
                     tag: "结果", success: (200, nil), errors: [403, 404, 409], fileResponse: true),
        APIOperation(method: "get", path: campaign + "/results.csv", summary: "导出结果汇总 CSV（UTF-8 BOM） (export CSV)",
                     tag: "结果", success: (200, nil), errors: [403, 404, 409], fileResponse: true),
        APIOperation(method: "get", path: campaign + "/documents/results-notice.docx", summary: "公文：评议结果通报 DOCX（GB/T 9704） (results notice)",
                     tag: "公文", success: (200, nil), errors: [400, 403, 404, 409, 422], fileResponse: true, queryTexts: headingQuery),
        APIOperation(method: "get", path: campaign + "/documents/feedback.docx", summary: "公文：个人评议结果反馈意见书 DOCX，每人一节 (feedback letters)",
                     tag: "公文", success: (200, nil), errors: [400, 403, 404, 409, 422], fileResponse: true, queryTexts: headingQuery),
        APIOperation(method: "get", path: campaign + "/documents/feedback/{reporteeID}", summary: "公文：一名书记的反馈意见书 DOCX (one feedback letter)",
                     tag: "公文", success: (200, nil), errors: [400, 403, 404, 409, 422], fileResponse: true, queryTexts: headingQuery),
        APIOperation(method: "get", path: campaign + "/documents/meeting-notice.docx", summary: "公文：会议通知 DOCX，参会人员名单为附件 (meeting notice)",
                     tag: "公文", success: (200, nil), errors: [400, 403, 404, 422], fileResponse: true,
                     queryTexts: headingQuery + ["time", "place", "bring", "contact"]),
        APIOperation(method: "get", path: campaign + "/documents/minutes.docx", summary: "公文：会议纪要 DOCX (minutes)",
                     tag: "公文", success: (200, nil), errors: [400, 403, 404, 409, 422], fileResponse: true, queryTexts: headingQuery),
        APIOperation(method: "get", path: campaign + "/documents/rectification-notices.docx", summary: "公文：整改通知书 DOCX，每个责任单位一节 (rectification notices)",
                     tag: "公文", success: (200, nil), errors: [400, 403, 404, 409, 422], fileResponse: true, queryTexts: headingQuery + ["unit"]),
        APIOperation(method: "get", path: campaign + "/documents/ledger.docx", summary: "公文：整改台账 DOCX（横排表格） (ledger table)",
                     tag: "公文", success: (200, nil), errors: [400, 403, 404, 409, 422], fileResponse: true, queryTexts: headingQuery),
        APIOperation(method: "put", path: campaign + "/assessment-weights", summary: "考核分项权重 (assessment weights)",
                     tag: "考核", body: .json("AssessmentWeights"), success: (200, ref("Results")), errors: manageErrors),
        APIOperation(method: "put", path: campaign + "/assessments/{reporteeID}", summary: "录入考核分项与一票否决 (enter an assessment)",
                     tag: "考核", body: .json("AssessmentEntry"), success: (200, ref("ReporteeResult")), errors: manageErrors),
        APIOperation(method: "get", path: campaign + "/publications", summary: "结果公示列表 (notices of a campaign)",
                     tag: "公示", success: (200, arrayOf("Publication")), errors: [403, 404]),
        APIOperation(method: "post", path: campaign + "/publications", summary: "发布结果公示 (publish)",
                     tag: "公示", body: .json("PublicationCreate"), success: (201, ref("Publication")), errors: manageErrors),
        APIOperation(method: "post", path: campaign + "/publications/{publicationID}/withdraw", summary: "撤回公示 (withdraw)",
                     tag: "公示", success: (200, ref("Publication")), errors: [403, 404, 409]),
        APIOperation(method: "get", path: "/api/v1/notices", summary: "正在公示的结果（公开） (running notices)",
                     tag: "公示", authenticated: false, success: (200, arrayOf("PublicNotice")), errors: []),
        APIOperation(method: "get", path: "/api/v1/notices/{publicationID}", summary: "一份公示（公开，公示期内） (a notice)",
                     tag: "公示", authenticated: false, success: (200, ref("PublicNotice")), errors: [404]),
        APIOperation(method: "get", path: "/api/v1/me/results", summary: "本人的评议结果（述职对象） (own results)",
                     tag: "结果", success: (200, arrayOf("MyResult")), errors: []),
        APIOperation(method: "get", path: "/api/v1/overview", summary: "三级总览：权限范围内各活动结果汇总 (overview)",
                     tag: "结果", success: (200, arrayOf("CampaignOverview")), errors: [403]),
        APIOperation(method: "get", path: "/api/v1/rounds/{roundID}/receipts", summary: "已计入的回执码（只证明计入，不显示内容） (receipts)",
                     tag: "票箱", authenticated: false, success: (200, ref("ReceiptList")), errors: [404]),
        APIOperation(method: "post", path: "/api/v1/vote/check", summary: "手机投票：核对投票码，取得评议表 (check a voting code)",
                     tag: "投票", authenticated: false, body: .json("VoteCheck"), success: (200, ref("VoteBallot")), errors: [400, 404, 409, 429]),
        APIOperation(method: "post", path: "/api/v1/vote", summary: "手机投票：提交选票，同一提交编号重发返回同一回执码 (cast a ballot)",
                     tag: "投票", authenticated: false, body: .json("Vote"), success: (200, ref("VoteReceipt")), errors: [400, 404, 409, 422, 429]),

        APIOperation(method: "get", path: "/api/v1/rectification", summary: "整改台账（可按单位、状态、来源、逾期筛选） (the ledger)",
                     tag: "整改", success: (200, arrayOf("RectificationItem")), errors: [400], query: ["unit", "campaign"],
                     queryWords: ledgerWords),
        APIOperation(method: "post", path: "/api/v1/rectification", summary: "下发整改事项（六个一） (create an item)",
                     tag: "整改", body: .json("RectificationInput"), success: (201, ref("RectificationDetail")), errors: [400, 403, 404, 422]),
        APIOperation(method: "get", path: "/api/v1/rectification/draft", summary: "从点评或评议结果预填整改事项 (a pre-filled item)",
                     tag: "整改", success: (200, ref("RectificationInput")), errors: [400, 403, 404, 409], query: ["campaign", "reportee"],
                     queryWords: ["from": ["comment", "result"]]),
        APIOperation(method: "get", path: "/api/v1/rectification/dashboard", summary: "整改看板：各单位未销号、逾期、到期、已销号 (dashboard)",
                     tag: "整改", success: (200, arrayOf("LedgerDashboardRow")), errors: [403]),
        APIOperation(method: "get", path: "/api/v1/rectification/reminders", summary: "到期提醒：7 天内到期和已逾期 (reminders)",
                     tag: "整改", success: (200, ref("Reminders")), errors: []),
        APIOperation(method: "get", path: "/api/v1/rectification.xlsx", summary: "导出整改台账 XLSX（含整改过程） (export the ledger)",
                     tag: "整改", success: (200, nil), errors: [400, 403], query: ["unit", "campaign"], queryWords: ledgerWords, fileResponse: true),
        APIOperation(method: "get", path: "/api/v1/rectification/{itemID}", summary: "整改事项详情与过程 (an item with its history)",
                     tag: "整改", success: (200, ref("RectificationDetail")), errors: [404]),
        APIOperation(method: "patch", path: "/api/v1/rectification/{itemID}", summary: "修改整改事项（未销号时，管理员） (edit an item)",
                     tag: "整改", body: .json("RectificationInput"), success: (200, ref("RectificationDetail")), errors: [400, 403, 404, 409, 422]),
        APIOperation(method: "post", path: "/api/v1/rectification/{itemID}/actions", summary: "签收、报送进展、申请销号、销号、驳回、延期、回头看 (act on an item)",
                     tag: "整改", body: .json("RectificationAction"), success: (200, ref("RectificationDetail")), errors: [400, 403, 404, 409, 422]),
        APIOperation(method: "post", path: "/api/v1/rectification/{itemID}/evidence", summary: "上传佐证材料（PDF/DOCX/TXT/JPG/PNG，20 MB 以内） (upload evidence)",
                     tag: "整改", body: .file, success: (201, ref("Evidence")), errors: [403, 404, 409, 413, 415, 422]),
        APIOperation(method: "get", path: "/api/v1/rectification/{itemID}/evidence/{evidenceID}", summary: "下载佐证材料 (download evidence)",
                     tag: "整改", success: (200, nil), errors: [404], fileResponse: true),
        APIOperation(method: "get", path: "/api/v1/notices/rectification", summary: "整改成果公示（公开） (closed items, public)",
                     tag: "整改", authenticated: false, success: (200, arrayOf("PublicRectification")), errors: []),

        APIOperation(method: "delete", path: "/api/v1/demo", summary: "删除演示数据 (remove the demo campaign)", tag: "评议活动",
                     success: (200, ref("DemoRemoval")), errors: [403]),
    ]

    static let errorStatusText: [Int: String] = [
        400: "请求格式不正确", 401: "未登录或令牌无效", 403: "没有权限，或页面已过期（CSRF）", 404: "不存在或不在权限范围内",
        409: "当前状态不允许此操作", 413: "请求体过大", 415: "内容类型不支持", 422: "内容不符合要求（导入失败时附逐行问题）",
        429: "请求过于频繁或账号已锁定",
    ]

    static var document: JSONValue {
        var paths: [String: JSONValue] = [:]
        for operation in operations {
            var responses: [String: JSONValue] = [:]
            if operation.fileResponse {
                responses[String(operation.success.status)] = [
                    "description": "文件",
                    "content": ["application/octet-stream": ["schema": ["type": "string", "format": "binary"]]],
                ]
            } else if let schema = operation.success.schema {
                responses[String(operation.success.status)] = [
                    "description": "成功", "content": ["application/json": ["schema": schema]],
                ]
            } else {
                responses[String(operation.success.status)] = ["description": "成功"]
            }
            var errors = operation.errors + (operation.authenticated ? [401] : [])
            if case .json = operation.body { errors += [413, 415] }
            for status in Set(errors).sorted() {
                let schema = status == 422 && operation.path.hasSuffix("/import") ? ref("ImportError") : ref("Error")
                responses[String(status)] = [
                    "description": .string(errorStatusText[status] ?? "错误"),
                    "content": ["application/json": ["schema": schema]],
                ]
            }
            var entry: [String: JSONValue] = [
                "summary": .string(operation.summary),
                "description": .string(OpenAPIDescriptions.operations[operationID(operation)] ?? ""),
                "operationId": .string(operationID(operation)),
                "tags": [.string(operation.tag)],
                "responses": .object(responses),
            ]
            let parameters: [JSONValue] = pathParameters(operation.path).map { name in
                let schema: JSONValue
                if operation.pathIntegers.contains(name) {
                    schema = ["type": "integer", "minimum": name == "serial" ? 1 : 0]
                } else if let values = operation.pathEnums[name] {
                    schema = ["type": "string", "enum": .array(values.map { .string($0) })]
                } else if name == "token" {
                    schema = ["type": "string", "minLength": 20, "maxLength": 100]
                } else {
                    schema = ["type": "string", "format": "uuid"]
                }
                return ["name": .string(name), "in": "path", "required": true, "schema": schema]
            } + operation.query.map { name in
                ["name": .string(name), "in": "query", "required": false, "schema": ["type": "string", "format": "uuid"]]
            } + operation.queryIntegers.sorted { $0.key < $1.key }.map { name, required in
                ["name": .string(name), "in": "query", "required": .bool(required), "schema": ["type": "integer", "minimum": 0, "maximum": 100_000]]
            } + operation.queryTexts.map { name in
                ["name": .string(name), "in": "query", "required": false, "schema": ["type": "string", "maxLength": 200]]
            } + operation.queryWords.sorted { $0.key < $1.key }.map { name, values in
                ["name": .string(name), "in": "query", "required": false,
                 "schema": ["type": "string", "enum": .array(values.map { .string($0) })]]
            }
            if !parameters.isEmpty { entry["parameters"] = .array(parameters) }
            switch operation.body {
            case .json(let schema):
                entry["requestBody"] = ["required": true, "content": ["application/json": ["schema": ref(schema)]]]
            case .file:
                entry["requestBody"] = ["required": true, "content": [
                    "application/octet-stream": ["schema": ["type": "string", "format": "binary"]],
                ]]
            case nil:
                break
            }
            entry["security"] = operation.authenticated ? [["bearerAuth": []], ["cookieSession": []]] : []
            var item = paths[operation.path]?.objectValue ?? [:]
            item[operation.method] = .object(entry)
            paths[operation.path] = .object(item)
        }
        return [
            "openapi": "3.0.3",
            "info": [
                "title": "Pingyi 评议 API",
                "version": .string(PingyiVersion.current),
                "description": """
                基层党组织书记述职评议考核系统的接口。认证：Authorization: Bearer 令牌；或浏览器会话 Cookie，此时修改类请求须带 \
                X-CSRF-Token。所有错误以 JSON 返回：{error, code, reason}，reason 为中文说明。没有值的字段不出现，回答中从不出现 null。\
                比率为 0–1 的小数。好评率 = (好+较好)/有效票，每票同权；按评议人类别加权的比率另称加权好评率（weightedGoodRate）。\
                /api/v1 只做兼容的增补；不兼容的变更将使用 /api/v2。
                """,
            ],
            "paths": .object(paths),
            "components": [
                "securitySchemes": [
                    "bearerAuth": ["type": "http", "scheme": "bearer"],
                    "cookieSession": ["type": "apiKey", "in": "cookie", "name": .string(CookieSession.cookieName)],
                ],
                "schemas": .object(OpenAPISchemas.all.reduce(into: [:]) { $0[$1.key] = OpenAPIDescriptions.described($1.value, path: [$1.key]) }),
            ],
        ]
    }

    static func operationID(_ operation: APIOperation) -> String {
        let words = operation.path.split(separator: "/").dropFirst(2).map { part -> String in
            if part.hasPrefix("{") { return "By" + part.dropFirst().prefix(1).uppercased() + part.dropFirst(2).dropLast() }
            return part.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        }
        return operation.method + words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    static func pathParameters(_ path: String) -> [String] {
        path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
    }
}

extension JSONValue {
    var objectValue: [String: JSONValue]? {
        if case .object(let object) = self { return object }
        return nil
    }
}
