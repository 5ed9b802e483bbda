import Fluent
import PingyiCore
import Vapor

/// 述职材料 behind the campaign's unguessable link: open only while the admin keeps it open and the campaign is not
/// archived.
enum Materials {
    /// The campaign whose materials link is `token`, if its materials are open; else 404.
    static func openCampaign(token: String?, on db: any Database) async throws -> Campaign {
        guard let token, token.count >= 20, token.count <= 100,
              let campaign = try await Campaign.query(on: db).filter(\.$materialsToken == token).first(),
              campaign.materialsPublic, !campaign.status.isReadOnly
        else { throw APIError(.notFound, "not_found", "链接无效或材料已关闭") }
        return campaign
    }

    /// The campaign's reportees in order, with their written reports' metadata.
    static func reports(of campaign: Campaign, on db: any Database) async throws -> ([Reportee], [UUID: ReportInfoDTO]) {
        let reportees = try await Reportee.query(on: db).filter(\.$campaign.$id == campaign.requireID()).sort(\.$position).all()
        return (reportees, try await reportInfos(for: reportees, on: db))
    }
}
