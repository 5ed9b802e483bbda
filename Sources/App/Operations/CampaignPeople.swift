import Fluent
import PingyiCore
import Vapor

/// The people of a campaign: 评议人类别 (rater groups), 述职对象 (reportees) and their written reports, 参会人员
/// (participants), and the imports of both lists. Each operation opens its own write transaction (re-reading the
/// phase under the campaign's lock) and writes its audit entry.
enum CampaignPeople {
    // MARK: 评议人类别

    /// A new rater group at the end; in a campaign weighted by group it needs a weight above 0.
    static func addRaterGroup(_ body: RaterGroupCreateRequest, to campaign: Campaign, by actor: Actor, on db: any Database) async throws -> RaterGroup {
        let name = try requireText(body.name, "类别名称", max: 30)
        let weighted = !campaign.rules.raterGroupWeights.isEmpty
        if weighted {
            guard let weight = body.weight, weight.isFinite, weight > 0 else {
                throw APIError(.unprocessableEntity, "invalid", "本活动按类别加权，请为新类别设置大于 0 的权重")
            }
        }
        let campaignID = try campaign.requireID()
        let group = RaterGroup(campaignID: campaignID, name: name, position: 0)
        try await db.writeTransaction { db in
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
        return group
    }

    /// Renames a rater group (names are unique in the campaign) and moves it to a 1-based place.
    static func updateRaterGroup(_ group: RaterGroup, with body: RaterGroupUpdateRequest, in campaign: Campaign, by actor: Actor,
                                 on db: any Database) async throws {
        let before = group.name
        try await db.writeTransaction { db in
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
    }

    /// Deletes a rater group no attendee is in; its weight goes with it.
    static func deleteRaterGroup(_ group: RaterGroup, of campaign: Campaign, by actor: Actor, on db: any Database) async throws {
        let groupID = try group.requireID()
        try await db.writeTransaction { db in
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
    }

    // MARK: 述职对象

    /// A new reportee at the end of the list, optionally linked to an org unit and a secretary's account.
    static func addReportee(_ body: ReporteeCreateRequest, to campaign: Campaign, by actor: Actor, on db: any Database) async throws -> Reportee {
        let campaignID = try campaign.requireID()
        let reportee = Reportee(
            campaignID: campaignID, orgUnitID: nil, name: try requireText(body.name, "姓名", max: 50),
            unitName: try requireText(body.unitName, "单位", max: 100), title: try optionalText(body.title, "职务", max: 50),
            mode: try parseMode(body.mode), position: 0,
            timeLimitSeconds: try parseTimeLimit(body.timeLimitSeconds ?? ReportMode.defaultTimeLimitSeconds))
        try await linkReportee(reportee, orgUnitID: body.orgUnitID, userID: body.userID, actor: actor, on: db)
        try await db.writeTransaction { db in
            try await campaign.requireLocked(\.allowsSetupChanges, "述职对象", on: db)
            reportee.position = try await Reportee.query(on: db).filter(\.$campaign.$id == campaignID).count() + 1
            try await reportee.save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaignID, action: "reportee.create",
                                  summary: "新增述职对象 \(reportee.name)（\(reportee.unitName)）", after: try ReporteeDTO(reportee, report: nil))
        }
        return reportee
    }

    /// 述职对象名单 from CSV (UTF-8 or GBK) or XLSX: read and checked before the write transaction; any error
    /// imports nothing and names each line. Answers how many were imported.
    static func importReportees(_ file: Data, into campaign: Campaign, by actor: Actor, on db: any Database) async throws -> Int {
        let campaignID = try campaign.requireID()
        let rows = try ReporteeImport.parse(try ImportFile.records(from: file)).get()
        return try await db.writeTransaction { db -> Int in
            // Read again under the campaign's lock: 筹备 may have ended since the file was read.
            try await campaign.requireLocked(\.allowsSetupChanges, "述职对象", on: db)
            var position = try await Reportee.query(on: db).filter(\.$campaign.$id == campaignID).count()
            let people = rows.map { row in
                position += 1
                return Reportee(campaignID: campaignID, orgUnitID: nil, name: row.name, unitName: row.unit, title: row.title,
                                mode: row.onsite ? .onsite : .written, position: position,
                                timeLimitSeconds: row.minutes.map { Int(($0 * 60).rounded()) } ?? ReportMode.defaultTimeLimitSeconds)
            }
            try await people.create(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaignID, action: "reportee.import",
                                  summary: "导入述职对象 \(rows.count) 人", after: rows.map { "\($0.name)（\($0.unit)）" })
            return rows.count
        }
    }

    /// Edits a reportee. Linking the secretary's account changes no ballot: allowed until archived; everything else
    /// only in 筹备.
    static func updateReportee(_ reportee: Reportee, with body: ReporteeUpdateRequest, in campaign: Campaign, by actor: Actor,
                               on db: any Database) async throws {
        let phaseRule: (CampaignPhase) -> Bool = body.onlyLinksAnAccount ? \.allowsAccountLinks : \.allowsSetupChanges
        try campaign.require(phaseRule, "述职对象")
        let before = try ReporteeDTO(reportee, report: nil)
        if let name = body.name { reportee.name = try requireText(name, "姓名", max: 50) }
        if let unit = body.unitName { reportee.unitName = try requireText(unit, "单位", max: 100) }
        if let title = body.title { reportee.title = try optionalText(title, "职务", max: 50) }
        if let mode = body.mode { reportee.mode = try parseMode(mode) }
        if let limit = body.timeLimitSeconds { reportee.timeLimitSeconds = try parseTimeLimit(limit) }
        if body.orgUnitID != nil || body.userID != nil {
            try await linkReportee(reportee, orgUnitID: body.orgUnitID ?? reportee.$orgUnit.id,
                                   userID: body.userID ?? reportee.$user.id, actor: actor, on: db)
        }
        try await db.writeTransaction { db in
            try await campaign.requireLocked(body.onlyLinksAnAccount ? \.allowsAccountLinks : \.allowsSetupChanges, "述职对象", on: db)
            try await reportee.save(on: db)
            if let position = body.position {
                let all = try await Reportee.query(on: db).filter(\.$campaign.$id == campaign.requireID()).all()
                try await reorder(all, moving: reportee.requireID(), to: position, on: db)
            }
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "reportee.update",
                                  summary: "修改述职对象 \(reportee.name)", before: before, after: try ReporteeDTO(reportee, report: nil))
        }
    }

    /// Deletes a reportee with their written report; the others close ranks.
    static func deleteReportee(_ reportee: Reportee, of campaign: Campaign, by actor: Actor, on db: any Database) async throws {
        try await db.writeTransaction { db in
            try await campaign.requireLocked(\.allowsSetupChanges, "述职对象", on: db)
            try await ReportDocument.query(on: db).filter(\.$reportee.$id == reportee.requireID()).delete()
            try await reportee.delete(on: db)
            try await renumber(try await Reportee.query(on: db).filter(\.$campaign.$id == campaign.requireID()).sort(\.$position).all(), on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "reportee.delete",
                                  summary: "删除述职对象 \(reportee.name)（\(reportee.unitName)）", before: try ReporteeDTO(reportee, report: nil))
        }
    }

    // MARK: 述职材料

    /// Uploads or replaces a reportee's written report (a file `ReportFile` has checked).
    static func uploadReport(_ data: Data, _ file: ReportFile.Checked, of reportee: Reportee, in campaign: Campaign, by actor: Actor,
                             on db: any Database) async throws -> ReportInfoDTO {
        try campaign.require(\.allowsReportChanges, "述职材料")
        let document = try await ReportDocument.query(on: db).filter(\.$reportee.$id == reportee.requireID()).first()
            ?? ReportDocument()
        let replaced = document.id != nil
        document.$reportee.id = try reportee.requireID()
        document.store(data, as: file)
        document.uploadedAt = Date()
        let info = ReportInfoDTO(fileName: file.fileName, contentType: file.contentType, byteCount: data.count, sha256: file.sha256)
        try await db.writeTransaction { db in
            try await campaign.requireLocked(\.allowsReportChanges, "述职材料", on: db)
            try await document.save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "report.upload",
                                  summary: "\(replaced ? "替换" : "上传")述职材料：\(reportee.name)《\(file.fileName)》", after: info)
        }
        return info
    }

    /// Removes a reportee's written report (404 when there is none).
    static func deleteReport(of reportee: Reportee, in campaign: Campaign, by actor: Actor, on db: any Database) async throws {
        try campaign.require(\.allowsReportChanges, "述职材料")
        try await db.writeTransaction { db in
            try await campaign.requireLocked(\.allowsReportChanges, "述职材料", on: db)
            let deleted = try await ReportDocument.query(on: db).filter(\.$reportee.$id == reportee.requireID()).all()
            guard !deleted.isEmpty else { throw APIError.notFound("述职材料") }
            try await ReportDocument.query(on: db).filter(\.$reportee.$id == reportee.requireID()).delete()
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "report.delete",
                                  summary: "删除述职材料：\(reportee.name)", before: deleted.map(\.fileName))
        }
    }

    // MARK: 参会人员

    /// A new participant at the end, with a check-in code (the cards print before the meeting).
    static func addParticipant(_ body: ParticipantInput, to campaign: Campaign, by actor: Actor, on db: any Database) async throws -> Participant {
        let campaignID = try campaign.requireID()
        let role = try parseParticipantRole(body.role)
        let participant = Participant(campaignID: campaignID, name: try requireText(body.name, "姓名", max: 50),
                                      unitName: try optionalText(body.unitName, "单位", max: 100), role: role,
                                      raterGroupID: try await checkRaterGroup(body.raterGroupID, role: role, campaign: campaign, on: db),
                                      position: 0)
        try await db.writeTransaction { db in
            try await campaign.requireLocked(\.allowsParticipantChanges, "参会人员", on: db)
            participant.position = (try await Participant.query(on: db).filter(\.$campaign.$id == campaignID).max(\.$position) ?? 0) + 1
            participant.checkInCode = try await uniqueCheckInCode(campaignID: campaignID, on: db)
            try await participant.save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaignID, action: "participant.create",
                                  summary: "新增参会人员 \(participant.name)（\(role.label)）", after: try ParticipantDTO(participant))
        }
        return participant
    }

    /// Edits a participant. Becoming an observer or guest drops the group; becoming an attendee needs one.
    static func updateParticipant(_ participant: Participant, with body: ParticipantUpdateRequest, in campaign: Campaign, by actor: Actor,
                                  on db: any Database) async throws {
        let before = try ParticipantDTO(participant)
        if let name = body.name { participant.name = try requireText(name, "姓名", max: 50) }
        if let unit = body.unitName { participant.unitName = try optionalText(unit, "单位", max: 100) }
        if body.role != nil || body.raterGroupID != nil {
            let role = try body.role.map(parseParticipantRole) ?? participant.role
            let group = role.votes ? (body.raterGroupID ?? participant.$raterGroup.id) : body.raterGroupID
            participant.role = role
            participant.$raterGroup.id = try await checkRaterGroup(group, role: role, campaign: campaign, on: db)
        }
        try await db.writeTransaction { db in
            try await campaign.requireLocked(\.allowsParticipantChanges, "参会人员", on: db)
            try await participant.save(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "participant.update",
                                  summary: "修改参会人员 \(participant.name)", before: before, after: try ParticipantDTO(participant))
        }
    }

    static func deleteParticipant(_ participant: Participant, of campaign: Campaign, by actor: Actor, on db: any Database) async throws {
        try await db.writeTransaction { db in
            try await campaign.requireLocked(\.allowsParticipantChanges, "参会人员", on: db)
            try await participant.delete(on: db)
            try await recordAudit(on: db, actor: actor, campaignID: campaign.id, action: "participant.delete",
                                  summary: "删除参会人员 \(participant.name)", before: try ParticipantDTO(participant))
        }
    }

    /// Appends the rows of a CSV or XLSX file; a file with any wrong row imports nothing. Answers how many were imported.
    static func importParticipants(_ file: Data, into campaign: Campaign, by actor: Actor, on db: any Database) async throws -> Int {
        let campaignID = try campaign.requireID()
        // Read and checked before the write transaction: a ballot never waits behind a big file.
        let groups = try await RaterGroup.query(on: db).filter(\.$campaign.$id == campaignID).sort(\.$position).all()
        let rows = try ParticipantImport.parse(try ImportFile.records(from: file), raterGroups: groups.map(\.name)).get()
        let groupID = Dictionary(groups.map { ($0.name, $0.id!) }, uniquingKeysWith: { a, _ in a })
        return try await db.writeTransaction { db -> Int in
            try await campaign.requireLocked(\.allowsParticipantChanges, "参会人员", on: db)
            // Rater groups change only in 筹备; one removed since the file was read makes its rows invalid.
            let now = Set(try await RaterGroup.query(on: db).filter(\.$campaign.$id == campaignID).all().compactMap(\.id))
            guard groupID.values.allSatisfy(now.contains) else { throw APIError.conflict("评议人类别刚刚有变动，请重新导入") }
            var position = try await Participant.query(on: db).filter(\.$campaign.$id == campaignID).max(\.$position) ?? 0
            var codes = try await checkInCodesInUse(campaignID: campaignID, on: db)
            let people = rows.map { row in
                position += 1
                let person = Participant(campaignID: campaignID, name: row.name, unitName: row.unit, role: row.role,
                                         raterGroupID: row.role.votes ? groupID[row.raterGroup] : nil, position: position)
                person.checkInCode = CheckInCode.generate(avoiding: &codes)
                return person
            }
            for start in stride(from: 0, to: people.count, by: 500) {
                try await Array(people[start..<min(start + 500, people.count)]).create(on: db)
            }
            try await recordAudit(on: db, actor: actor, campaignID: campaignID, action: "participant.import",
                                  summary: "导入参会人员 \(rows.count) 人", after: rows.map { "\($0.name)（\($0.role.label)）" })
            return rows.count
        }
    }
}

/// Sets a reportee's org unit (in scope) and account (a reportee account the actor manages).
func linkReportee(_ reportee: Reportee, orgUnitID: UUID?, userID: UUID?, actor: Actor, on db: any Database) async throws {
    if let orgUnitID {
        guard actor.scope.contains(orgUnitID), try await OrgUnit.find(orgUnitID, on: db) != nil else { throw APIError.notFound("组织") }
    }
    if let userID {
        guard let user = try await User.find(userID, on: db), actor.mayManage(user) else { throw APIError.notFound("账号") }
        guard user.role == .reportee else { throw APIError(.unprocessableEntity, "invalid", "只能关联“述职对象”角色的账号") }
    }
    reportee.$orgUnit.id = orgUnitID
    reportee.$user.id = userID
}

func parseMode(_ raw: String) throws -> ReportMode {
    guard let mode = ReportMode(rawValue: raw) else {
        throw APIError(.unprocessableEntity, "invalid", "述职方式应为 onsite（会上述职）或 written（书面述职）")
    }
    return mode
}

func parseTimeLimit(_ seconds: Int) throws -> Int {
    // Down to 10 seconds so a rehearsal (or a browser test) can see the warning and the overtime quickly.
    guard (10...3600).contains(seconds) else { throw APIError(.unprocessableEntity, "invalid", "发言时限应在 10 秒到 60 分钟之间") }
    return seconds
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
