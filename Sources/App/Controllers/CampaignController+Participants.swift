import Fluent
import PingyiCore
import Vapor

/// 参会人员: attendees (出席, with a rater group), observers (列席) and guests (指导).
extension CampaignController {
    func bootParticipants(_ campaign: any RoutesBuilder) {
        let participants = campaign.grouped("participants")
        participants.get(use: listParticipants).requiring(.viewParticipants)
        participants.post(use: createParticipant).requiring(.manage)
        participants.patch(":participantID", use: updateParticipant).requiring(.manage)
        participants.delete(":participantID", use: deleteParticipant).requiring(.manage)
        participants.on(.POST, "import", body: .collect(maxSize: "5mb"), use: importParticipants).requiring(.manage)
    }

    @Sendable
    func listParticipants(req: Request) async throws -> [ParticipantDTO] {
        let (actor, campaign) = try await req.campaign()
        return try await Participant.query(on: req.db).filter(\.$campaign.$id == campaign.requireID())
            .sort(\.$position).all().map(ParticipantDTO.init)
    }

    @Sendable
    func createParticipant(req: Request) async throws -> Response {
        let (actor, campaign) = try await req.campaign(allowing: \.allowsParticipantChanges, "参会人员")
        let body = try req.content.decode(ParticipantInput.self)
        let campaignID = try campaign.requireID()
        let role = try parseParticipantRole(body.role)
        let participant = Participant(campaignID: campaignID, name: try requireText(body.name, "姓名", max: 50),
                                      unitName: try optionalText(body.unitName, "单位", max: 100), role: role,
                                      raterGroupID: try await checkRaterGroup(body.raterGroupID, role: role, campaign: campaign, on: req.db),
                                      position: 0)
        try await req.db.writeTransaction { db in
            try await campaign.requireLocked(\.allowsParticipantChanges, "参会人员", on: db)
            participant.position = (try await Participant.query(on: db).filter(\.$campaign.$id == campaignID).max(\.$position) ?? 0) + 1
            // During the meeting a newcomer needs a check-in code at once (the others got theirs when it opened).
            if campaign.status == .meeting { participant.checkInCode = try await uniqueCheckInCode(campaignID: campaignID, on: db) }
            try await participant.save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaignID, action: "participant.create",
                                  summary: "新增参会人员 \(participant.name)（\(role.label)）", after: try ParticipantDTO(participant))
        }
        return try created(try ParticipantDTO(participant))
    }

    @Sendable
    func updateParticipant(req: Request) async throws -> ParticipantDTO {
        let (actor, campaign) = try await req.campaign(allowing: \.allowsParticipantChanges, "参会人员")
        let participant = try await req.child(Participant.self, "participantID", of: campaign, "参会人员")
        let body = try req.content.decode(ParticipantUpdateRequest.self)
        let before = try ParticipantDTO(participant)
        if let name = body.name { participant.name = try requireText(name, "姓名", max: 50) }
        if let unit = body.unitName { participant.unitName = try optionalText(unit, "单位", max: 100) }
        if body.role != nil || body.raterGroupID != nil {
            let role = try body.role.map(parseParticipantRole) ?? participant.role
            // Becoming an observer or guest drops the group; becoming an attendee needs one.
            let group = role.votes ? (body.raterGroupID ?? participant.$raterGroup.id) : body.raterGroupID
            participant.role = role
            participant.$raterGroup.id = try await checkRaterGroup(group, role: role, campaign: campaign, on: req.db)
        }
        try await req.db.writeTransaction { db in
            try await campaign.requireLocked(\.allowsParticipantChanges, "参会人员", on: db)
            try await participant.save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "participant.update",
                                  summary: "修改参会人员 \(participant.name)", before: before, after: try ParticipantDTO(participant))
        }
        return try ParticipantDTO(participant)
    }

    @Sendable
    func deleteParticipant(req: Request) async throws -> HTTPStatus {
        let (actor, campaign) = try await req.campaign(allowing: \.allowsParticipantChanges, "参会人员")
        let participant = try await req.child(Participant.self, "participantID", of: campaign, "参会人员")
        try await req.db.writeTransaction { db in
            try await campaign.requireLocked(\.allowsParticipantChanges, "参会人员", on: db)
            try await participant.delete(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "participant.delete",
                                  summary: "删除参会人员 \(participant.name)", before: try ParticipantDTO(participant))
        }
        return .noContent
    }

    /// Appends the rows of a CSV or XLSX file; a file with any wrong row imports nothing.
    @Sendable
    func importParticipants(req: Request) async throws -> Response {
        let (actor, campaign) = try await req.campaign(allowing: \.allowsParticipantChanges, "参会人员")
        let campaignID = try campaign.requireID()
        let data = Data(buffer: req.body.data ?? ByteBuffer())
        // Read and checked before the write transaction: a ballot never waits behind a big file.
        let groups = try await RaterGroup.query(on: req.db).filter(\.$campaign.$id == campaignID).sort(\.$position).all()
        let rows = try ParticipantImport.parse(try ImportFile.records(from: data), raterGroups: groups.map(\.name)).get()
        let groupID = Dictionary(groups.map { ($0.name, $0.id!) }, uniquingKeysWith: { a, _ in a })
        let count = try await req.db.writeTransaction { db -> Int in
            try await campaign.requireLocked(\.allowsParticipantChanges, "参会人员", on: db)
            // Rater groups change only in 筹备; one removed since the file was read makes its rows invalid.
            let now = Set(try await RaterGroup.query(on: db).filter(\.$campaign.$id == campaignID).all().compactMap(\.id))
            guard groupID.values.allSatisfy(now.contains) else { throw APIError.conflict("评议人类别刚刚有变动，请重新导入") }
            var position = try await Participant.query(on: db).filter(\.$campaign.$id == campaignID).max(\.$position) ?? 0
            let people = rows.map { row in
                position += 1
                return Participant(campaignID: campaignID, name: row.name, unitName: row.unit, role: row.role,
                                   raterGroupID: row.role.votes ? groupID[row.raterGroup] : nil, position: position)
            }
            for start in stride(from: 0, to: people.count, by: 500) {
                try await Array(people[start..<min(start + 500, people.count)]).create(on: db)
            }
            if campaign.status == .meeting { try await assignCheckInCodes(campaignID: campaignID, on: db) }
            try await recordAudit(on: db, actor: actor, campaignID: campaignID, action: "participant.import",
                                  summary: "导入参会人员 \(rows.count) 人", after: rows.map { "\($0.name)（\($0.role.label)）" })
            return rows.count
        }
        return try created(ImportResultDTO(imported: count))
    }
}

func parseParticipantRole(_ raw: String) throws -> ParticipantRole {
    guard let role = ParticipantRole(code: raw) else {
        throw APIError(.unprocessableEntity, "invalid", "身份应为 attendee（出席）、observer（列席）或 guest（指导）")
    }
    return role
}

/// Attendees need a rater group of this campaign; observers and guests have none.
func checkRaterGroup(_ groupID: UUID?, role: ParticipantRole, campaign: Campaign, on db: any Database) async throws -> UUID? {
    guard role.votes else {
        guard groupID == nil else { throw APIError(.unprocessableEntity, "invalid", "\(role.label)人员不参加评议，不能设置评议人类别") }
        return nil
    }
    guard let groupID else { throw APIError(.unprocessableEntity, "invalid", "出席人员必须选择评议人类别") }
    guard let group = try await RaterGroup.find(groupID, on: db), group.$campaign.id == campaign.id else {
        throw APIError.notFound("评议人类别")
    }
    return groupID
}
