import Foundation
import PingyiCore
import Vapor

struct OrgUnitDTO: Content {
    var id: UUID
    var parentID: UUID?
    var name: String
    var kind: String
    var domain: String
    var domainLabel: String
    var secretaryName: String
    var position: Int
    var isDemo: Bool

    init(_ unit: OrgUnit) throws {
        id = try unit.requireID()
        parentID = unit.$parent.id
        name = unit.name
        kind = unit.kind
        domain = unit.domain.rawValue
        domainLabel = unit.domain.label
        secretaryName = unit.secretaryName
        position = unit.position
        isDemo = unit.isDemo
    }
}

struct OrgUnitCreateRequest: Content {
    var parentID: UUID?
    var name: String
    var kind: String
    var domain: String
    var secretaryName: String?
}

struct OrgUnitUpdateRequest: Content {
    var name: String?
    var kind: String?
    var domain: String?
    var secretaryName: String?
    /// Moves the unit under another parent.
    var parentID: UUID?
}

struct ImportResultDTO: Content {
    var imported: Int
}

struct ImportErrorDTO: Content {
    var error: Bool
    var code: String
    var reason: String
    var issues: [ImportIssue]
}
