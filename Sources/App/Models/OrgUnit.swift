import Fluent
import Foundation
import PingyiCore

/// 组织: a unit of the three-level tree (区 → 镇/部门 → 社区/村).
final class OrgUnit: Model, @unchecked Sendable {
    static let schema = "org_units"

    @ID(key: .id) var id: UUID?
    @OptionalParent(key: "parent_id") var parent: OrgUnit?
    @Field(key: "name") var name: String
    /// 党委 / 党工委 / 党组 / 党支部 …
    @Field(key: "kind") var kind: String
    @Field(key: "domain") var domain: OrgDomain
    @Field(key: "secretary_name") var secretaryName: String
    @Field(key: "position") var position: Int
    @Field(key: "is_demo") var isDemo: Bool

    init() {}

    init(id: UUID? = nil, parentID: UUID?, name: String, kind: String, domain: OrgDomain,
         secretaryName: String, position: Int, isDemo: Bool = false) {
        self.id = id
        self.$parent.id = parentID
        self.name = name
        self.kind = kind
        self.domain = domain
        self.secretaryName = secretaryName
        self.position = position
        self.isDemo = isDemo
    }
}

