import Vapor
import PingyiCore

/// The web UI: thin Leaf shells; each page's script talks to `/api/v1` with the session cookie.
struct PageController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: page("index", "评议活动"))
        routes.get("orgs", use: page("orgs", "组织管理"))
        routes.get("users", use: page("users", "账号管理"))
        routes.get("account", use: page("account", "修改密码"))
        routes.get("campaigns", ":campaignID", use: page("campaign", "活动设置"))
        routes.get("campaigns", ":campaignID", "console", use: page("console", "主持人控制台"))
        routes.get("campaigns", ":campaignID", "check-in", use: page("checkin", "签到"))
        routes.get("campaigns", ":campaignID", "minutes", use: page("minutes", "会议纪要"))
        routes.get("campaigns", ":campaignID", "check-in-cards", use: page("cards", "签到卡"))
        routes.get("campaigns", ":campaignID", "tally", use: page("tally", "纸质票录入"))
        routes.get("campaigns", ":campaignID", "rounds", ":roundID", "paper", use: page("paper", "纸质评议表"))
        routes.get("campaigns", ":campaignID", "results", use: page("results", "评议结果"))
        routes.get("campaigns", ":campaignID", "results", ":reporteeID", use: page("sheet", "个人评议结果"))
        routes.get("overview", use: page("overview", "结果总览"))
        routes.get("rectification", use: page("ledger", "整改台账"))
        routes.get("rectification", ":itemID", use: page("item", "整改事项"))
        routes.get("gongshi", use: bare("notice", "评议结果公示"))
        routes.get("gongshi", ":publicationID", use: bare("notice", "评议结果公示"))
        routes.get("p", ":token", use: projector)
        routes.get("v", use: bare("vote", "民主评议投票"))
        routes.get("receipts", ":roundID", use: bare("receipts", "回执码公示"))
    }

    struct PageContext: Encodable {
        var title: String
        var script: String
        var version: String
    }

    struct ProjectorContext: Encodable {
        var title: String
        var version: String
        /// The voting page's address and its QR code, shown to the hall while a round is open (no code in it).
        var voteURL: String
        var voteQR: String
    }

    /// The projector: no account, no navigation, just the live screen.
    @Sendable
    func projector(req: Request) async throws -> View {
        let voteURL = publicBaseURL(req) + "/v"
        return try await req.view.render("projector", ProjectorContext(
            title: "大屏", version: PingyiVersion.current, voteURL: voteURL, voteQR: (try? QRCode(text: voteURL).svg(title: "投票页二维码")) ?? ""))
    }

    /// Pages without the staff navigation: the phone's voting page and the public receipt list.
    func bare(_ name: String, _ title: String) -> @Sendable (Request) async throws -> View {
        { req in
            try await req.view.render(name, PageContext(title: title, script: name, version: PingyiVersion.current))
        }
    }

    func page(_ name: String, _ title: String) -> @Sendable (Request) async throws -> View {
        { req in
            try await req.view.render(name, PageContext(title: title, script: name, version: PingyiVersion.current))
        }
    }
}
