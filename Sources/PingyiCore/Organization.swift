import Foundation

/// 领域 of an org unit.
public enum OrgDomain: String, Codable, CaseIterable, Sendable {
    case rural, urbanCommunity = "urban_community", government, stateEnterprise = "state_enterprise"
    case newOrganization = "new_organization", school, health

    public var label: String {
        switch self {
        case .rural: "农村"
        case .urbanCommunity: "城市社区"
        case .government: "机关"
        case .stateEnterprise: "国企"
        case .newOrganization: "两新组织"
        case .school: "学校"
        case .health: "卫健"
        }
    }

    /// Accepts the code (`rural`) or the label (`农村`).
    public init?(code: String) {
        let trimmed = code.trimmingCharacters(in: .whitespaces)
        guard let domain = OrgDomain(rawValue: trimmed) ?? OrgDomain.allCases.first(where: { $0.label == trimmed }) else {
            return nil
        }
        self = domain
    }
}

/// 组织类型: the kinds of Party organization a unit can be.
public enum OrgKind {
    public static let all = ["党委", "党工委", "党组", "党总支", "党支部", "联合党支部", "临时党支部"]
}

/// How a participant takes part in the meeting.
public enum ParticipantRole: String, Codable, CaseIterable, Sendable {
    /// 出席: votes
    case attendee
    /// 列席: attends, never votes
    case observer
    /// 指导: a guest from a higher level, never votes
    case guest

    public var label: String {
        switch self {
        case .attendee: "出席"
        case .observer: "列席"
        case .guest: "指导"
        }
    }

    public var votes: Bool { self == .attendee }

    public init?(code: String) {
        let trimmed = code.trimmingCharacters(in: .whitespaces)
        guard let role = ParticipantRole(rawValue: trimmed) ?? ParticipantRole.allCases.first(where: { $0.label == trimmed }) else {
            return nil
        }
        self = role
    }
}
