import Fluent
import Vapor

/// `pingyi demo load|remove`: loads the seed's meeting as a demo campaign, or removes every demo campaign.
struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "load（载入演示活动）或 remove（删除演示数据）")
        var action: String
        init() {}
    }

    var help: String { "载入或删除演示活动 / Load or remove the demo campaign" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await prepareDatabase(app)
        switch signature.action {
        case "load":
            try await DemoCampaign.load(on: app.db)
            printOut(["已载入演示活动 / demo campaign loaded: \(DemoCampaign.title)"])
        case "remove":
            let removed = try await DemoCampaign.remove(on: app.db)
            printOut(["已删除演示数据 / demo removed: \(removed.campaigns) 个活动 / campaigns, \(removed.orgUnits) 个组织 / org units"])
        default:
            throw PingyiStartupError.badSetting("demo", "只能是 load 或 remove / must be load or remove")
        }
    }
}
