import Fluent
import Foundation
import PingyiCore

/// The seed's meeting as a demo campaign (演示): 2022年度**区基层党组织书记落实主体责任述职评议.
enum DemoCampaign {
    static let title = "2022年度**区基层党组织书记落实主体责任述职评议"

    /// (unit, kind, domain, secretary, title); the first four report on site, in the chair's order.
    static let onsite: [(String, String, OrgDomain, String, String)] = [
        ("**镇党委", "党委", .rural, "王建华", "镇党委书记"),
        ("区教育党工委", "党工委", .school, "李文静", "区教育党工委书记"),
        ("区社会事务局党组", "党组", .government, "张国强", "区社会事务局党组书记"),
        ("**市园艺场党委", "党委", .stateEnterprise, "陈志明", "园艺场党委书记"),
    ]

    static let written: [(String, String, OrgDomain, String, String)] = [
        ("**街道党工委", "党工委", .urbanCommunity, "刘红梅", "街道党工委书记"),
        ("**乡党委", "党委", .rural, "赵永刚", "乡党委书记"),
        ("区卫生健康局党委", "党委", .health, "孙丽华", "区卫生健康局党委书记"),
        ("区经济开发区党工委", "党工委", .newOrganization, "周海涛", "开发区党工委书记"),
        ("区城市建设投资集团党委", "党委", .stateEnterprise, "吴卫东", "集团党委书记"),
        ("区财政局党组", "党组", .government, "郑晓燕", "区财政局党组书记"),
        ("区商务局党组", "党组", .government, "何建军", "区商务局党组书记"),
    ]

    /// Rater groups with their weights and how many attendees each has in the demo.
    static let raterGroups: [(name: String, weight: Double, size: Int)] = [
        ("区领导", 0.3, 6),
        ("部门负责人", 0.3, 14),
        ("党代表·群众代表", 0.4, 20),
    ]

    static let guests = ["市纪委", "市委组织部", "市委宣传部"]

    private static let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高")
    private static let givenNames = ["伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "华", "平", "刚"]

    /// A fixed, made-up name for the i-th demo person.
    static func personName(_ index: Int) -> String {
        String(surnames[index % surnames.count]) + givenNames[(index / surnames.count + index * 7) % givenNames.count]
    }

    /// Creates the demo org units and campaign in one transaction.
    @discardableResult
    static func load(on db: any Database) async throws -> Campaign {
        try await db.writeTransaction { db in
            let district = OrgUnit(parentID: nil, name: "**区委", kind: "党委", domain: .government,
                                   secretaryName: "区委书记", position: 0, isDemo: true)
            try await district.save(on: db)
            let districtID = try district.requireID()
            var unitIDs: [String: UUID] = [:]
            for (offset, unit) in (onsite + written).enumerated() {
                let orgUnit = OrgUnit(parentID: districtID, name: unit.0, kind: unit.1, domain: unit.2,
                                      secretaryName: unit.3, position: offset + 1, isDemo: true)
                try await orgUnit.save(on: db)
                unitIDs[unit.0] = try orgUnit.requireID()
            }

            let campaign = Campaign(title: title, year: 2022, level: .district, orgUnitID: districtID,
                                    isDemo: true, forms: FormTemplate.seedForms, rules: .standard)
            try await campaign.save(on: db)
            let campaignID = try campaign.requireID()

            var weights: [String: Double] = [:]
            var groupIDs: [UUID] = []
            for (offset, group) in raterGroups.enumerated() {
                let raterGroup = RaterGroup(campaignID: campaignID, name: group.name, position: offset + 1)
                try await raterGroup.save(on: db)
                let id = try raterGroup.requireID()
                groupIDs.append(id)
                weights[id.uuidString] = group.weight
            }
            campaign.rules.raterGroupWeights = weights
            try campaign.rules.validate(raterGroups: weights.keys.map { $0 }, forms: campaign.forms.map(\.id))
            try await campaign.save(on: db)

            for (offset, unit) in onsite.enumerated() {
                try await Reportee(campaignID: campaignID, orgUnitID: unitIDs[unit.0], name: unit.3, unitName: unit.0,
                                   title: unit.4, mode: .onsite, position: offset + 1).save(on: db)
            }
            for (offset, unit) in written.enumerated() {
                try await Reportee(campaignID: campaignID, orgUnitID: unitIDs[unit.0], name: unit.3, unitName: unit.0,
                                   title: unit.4, mode: .written, position: onsite.count + offset + 1).save(on: db)
            }

            var person = 0
            var position = 0
            let groupUnits = ["区委", "区直部门", "基层"]
            for (groupOffset, group) in raterGroups.enumerated() {
                for _ in 0..<group.size {
                    position += 1
                    person += 1
                    try await Participant(campaignID: campaignID, name: personName(person), unitName: groupUnits[groupOffset],
                                          role: .attendee, raterGroupID: groupIDs[groupOffset], position: position).save(on: db)
                }
            }
            for unit in ["区委组织部", "区纪委监委", "区委宣传部", "区委办公室"] {
                position += 1
                person += 1
                try await Participant(campaignID: campaignID, name: personName(person), unitName: unit,
                                      role: .observer, raterGroupID: nil, position: position).save(on: db)
            }
            for unit in guests {
                position += 1
                person += 1
                try await Participant(campaignID: campaignID, name: personName(person), unitName: unit,
                                      role: .guest, raterGroupID: nil, position: position).save(on: db)
            }
            try await Meeting(campaignID: campaignID).save(on: db)
            try await assignCheckInCodes(campaignID: campaignID, on: db)
            return campaign
        }
    }

    /// Deletes every demo campaign (children cascade) and the demo org units no one else uses, in one transaction.
    static func remove(on db: any Database) async throws -> (campaigns: Int, orgUnits: Int) {
        try await db.writeTransaction { db in
            let campaigns = try await Campaign.query(on: db).filter(\.$isDemo == true).all()
            for campaign in campaigns {
                let id = try campaign.requireID()
                // Explicit deletes, children first, so removal does not depend on the driver honouring cascades.
                try await Participant.query(on: db).filter(\.$campaign.$id == id).delete()
                try await AssessmentRecord.query(on: db).filter(\.$campaignID == id).delete()
                try await Publication.query(on: db).filter(\.$campaign.$id == id).delete()
                try await DocumentHeadingRecord.query(on: db).filter(\.$campaignID == id).delete()
                // Ledger items raised in the demo are demo data too.
                let items = try await RectificationItem.query(on: db).filter(\.$campaignID == id).all().compactMap(\.id)
                try await RectificationEvent.query(on: db).filter(\.$item.$id ~~ items).delete()
                try await RectificationEvidence.query(on: db).filter(\.$item.$id ~~ items).delete()
                try await RectificationItem.query(on: db).filter(\.$id ~~ items).delete()
                try await Reportee.query(on: db).filter(\.$campaign.$id == id).delete()
                try await RaterGroup.query(on: db).filter(\.$campaign.$id == id).delete()
                try await campaign.delete(on: db)
            }
            var removedUnits = 0
            // Real units a clerk put under a demo unit move up to its parent (the top level at the root), so no demo
            // unit stays in the real tree because of them.
            let demoParent = Dictionary(try await OrgUnit.query(on: db).filter(\.$isDemo == true).all().map { ($0.id!, $0.$parent.id) },
                                        uniquingKeysWith: { a, _ in a })
            for unit in try await OrgUnit.query(on: db).filter(\.$isDemo == false).all() {
                var parent = unit.$parent.id
                while let id = parent, let up = demoParent[id] { parent = up }
                if parent != unit.$parent.id {
                    unit.$parent.id = parent
                    try await unit.save(on: db)
                }
            }
            // Leaves first: keep deleting demo units that nothing references until none is left.
            while true {
                let demoUnits = try await OrgUnit.query(on: db).filter(\.$isDemo == true).all()
                let referenced = try await referencedUnitIDs(on: db)
                let deletable = demoUnits.filter { unit in unit.id.map { !referenced.contains($0) } ?? false }
                if deletable.isEmpty { break }
                for unit in deletable { try await unit.delete(on: db) }
                removedUnits += deletable.count
            }
            return (campaigns.count, removedUnits)
        }
    }

    private static func referencedUnitIDs(on db: any Database) async throws -> Set<UUID> {
        var ids = Set<UUID>()
        for unit in try await OrgUnit.query(on: db).all() { if let parent = unit.$parent.id { ids.insert(parent) } }
        for campaign in try await Campaign.query(on: db).all() { ids.insert(campaign.$orgUnit.id) }
        for user in try await User.query(on: db).all() { if let unit = user.$orgUnit.id { ids.insert(unit) } }
        for reportee in try await Reportee.query(on: db).all() { if let unit = reportee.$orgUnit.id { ids.insert(unit) } }
        for item in try await RectificationItem.query(on: db).all() { ids.insert(item.orgUnitID) }
        return ids
    }
}
