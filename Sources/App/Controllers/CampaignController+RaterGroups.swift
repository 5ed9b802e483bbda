import Fluent
import PingyiCore
import Vapor

/// 评议人类别 of a campaign. Their weights live in the campaign's rules, keyed by group id.
extension CampaignController {
    func bootRaterGroups(_ campaign: any RoutesBuilder) {
        let groups = campaign.grouped("rater-groups")
        groups.post(use: createRaterGroup).requiring(.manage)
        groups.patch(":groupID", use: updateRaterGroup).requiring(.manage)
        groups.delete(":groupID", use: deleteRaterGroup).requiring(.manage)
    }

    @Sendable
    func createRaterGroup(req: Request) async throws -> Response {
        let (actor, campaign) = try await req.campaign(allowing: \.allowsSetupChanges, "评议人类别")
        let body = try req.content.decode(RaterGroupCreateRequest.self)
        let name = try requireText(body.name, "类别名称", max: 30)
        let weighted = !campaign.rules.raterGroupWeights.isEmpty
        if weighted {
            guard let weight = body.weight, weight.isFinite, weight > 0 else {
                throw APIError(.unprocessableEntity, "invalid", "本活动按类别加权，请为新类别设置大于 0 的权重")
            }
        }
        let campaignID = try campaign.requireID()
        let group = RaterGroup(campaignID: campaignID, name: name, position: 0)
        try await req.db.writeTransaction { db in
            try await campaign.requireLocked(\.allowsSetupChanges, "评议人类别", on: db)
            let existing = try await RaterGroup.query(on: db).filter(\.$campaign.$id == campaignID).all()
            guard !existing.contains(where: { $0.name == name }) else { throw APIError.conflict("类别“\(name)”已存在") }
            group.position = (existing.map(\.position).max() ?? -1) + 1
            try await group.save(on: db)
            if weighted, let weight = body.weight {
                campaign.rules.raterGroupWeights[try group.requireID().uuidString] = weight
                try await campaign.save(on: db)
            }
            try await recordAudit(on: db, actor: actor, campaignID: campaignID, action: "rater_group.create",
                                  summary: "新增评议人类别“\(name)”", after: ["name": name])
        }
        return try created(try await campaignDetail(campaign, for: actor, on: req.db))
    }

    @Sendable
    func updateRaterGroup(req: Request) async throws -> CampaignDetailDTO {
        let (actor, campaign) = try await req.campaign(allowing: \.allowsSetupChanges, "评议人类别")
        let group = try await req.child(RaterGroup.self, "groupID", of: campaign, "评议人类别")
        let body = try req.content.decode(RaterGroupUpdateRequest.self)
        let before = group.name
        try await req.db.writeTransaction { db in
            try await campaign.requireLocked(\.allowsSetupChanges, "评议人类别", on: db)
            let siblings = try await RaterGroup.query(on: db).filter(\.$campaign.$id == campaign.requireID()).sort(\.$position).all()
            if let name = body.name {
                let trimmed = try requireText(name, "类别名称", max: 30)
                guard !siblings.contains(where: { $0.name == trimmed && $0.id != group.id }) else {
                    throw APIError.conflict("类别“\(trimmed)”已存在")
                }
                group.name = trimmed
                try await group.save(on: db)
            }
            if let position = body.position {
                try await reorder(siblings, moving: group.requireID(), to: position, on: db)
            }
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "rater_group.update",
                                  summary: "修改评议人类别“\(group.name)”", before: ["name": before], after: ["name": group.name])
        }
        return try await campaignDetail(campaign, for: actor, on: req.db)
    }

    @Sendable
    func deleteRaterGroup(req: Request) async throws -> CampaignDetailDTO {
        let (actor, campaign) = try await req.campaign(allowing: \.allowsSetupChanges, "评议人类别")
        let group = try await req.child(RaterGroup.self, "groupID", of: campaign, "评议人类别")
        let groupID = try group.requireID()
        try await req.db.writeTransaction { db in
            try await campaign.requireLocked(\.allowsSetupChanges, "评议人类别", on: db)
            guard try await Participant.query(on: db).filter(\.$raterGroup.$id == groupID).count() == 0 else {
                throw APIError.conflict("类别“\(group.name)”下还有出席人员，请先调整这些人员")
            }
            try await group.delete(on: db)
            campaign.rules.raterGroupWeights[groupID.uuidString] = nil
            try await campaign.save(on: db)
            let rest = try await RaterGroup.query(on: db).filter(\.$campaign.$id == campaign.requireID()).sort(\.$position).all()
            try await renumber(rest, on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "rater_group.delete",
                                  summary: "删除评议人类别“\(group.name)”", before: ["name": group.name])
        }
        return try await campaignDetail(campaign, for: actor, on: req.db)
    }
}

/// Moves one row to a 1-based place and renumbers the rest, keeping their order.
func reorder<T: CampaignOrdered>(_ rows: [T], moving id: UUID, to position: Int, on db: any Database) async throws {
    var ordered = rows.sorted { $0.position < $1.position }
    guard let index = ordered.firstIndex(where: { $0.id == id }) else { return }
    let row = ordered.remove(at: index)
    ordered.insert(row, at: min(max(position - 1, 0), ordered.count))
    try await renumber(ordered, on: db)
}

/// Positions 1, 2, 3… in the given order.
func renumber<T: CampaignOrdered>(_ rows: [T], on db: any Database) async throws {
    for (offset, row) in rows.enumerated() where row.position != offset + 1 {
        row.position = offset + 1
        try await row.save(on: db)
    }
}
