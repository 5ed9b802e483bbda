import Fluent
import Foundation

/// Which org units an account may see: a system admin sees all, everyone else their unit's subtree.
struct OrgScope: Sendable {
    /// `nil` means unrestricted.
    let unitIDs: Set<UUID>?

    static func of(_ user: User, on db: any Database) async throws -> OrgScope {
        if user.role == .systemAdmin { return OrgScope(unitIDs: nil) }
        guard let root = user.$orgUnit.id else { return OrgScope(unitIDs: []) }
        return OrgScope(unitIDs: try await subtree(of: root, on: db))
    }

    func contains(_ unitID: UUID) -> Bool { unitIDs?.contains(unitID) ?? true }
}

/// The unit and every unit below it. The tree is small (hundreds of units), so one query and a walk.
func subtree(of root: UUID, on db: any Database) async throws -> Set<UUID> {
    let units = try await OrgUnit.query(on: db).all()
    var children: [UUID: [UUID]] = [:]
    for unit in units {
        if let parent = unit.$parent.id, let id = unit.id { children[parent, default: []].append(id) }
    }
    var result: Set<UUID> = [root]
    var stack = [root]
    while let next = stack.popLast() {
        for child in children[next] ?? [] where result.insert(child).inserted {
            stack.append(child)
        }
    }
    return result
}
