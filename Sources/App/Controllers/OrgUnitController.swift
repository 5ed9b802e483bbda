import Fluent
import PingyiCore
import Vapor

/// The org tree (区 → 镇/部门 → 社区/村). Admins edit within their subtree; everyone signed in may read it. The work is
/// `OrgTree`'s.
struct OrgUnitController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let units = routes.apiV1().grouped("org-units")
        units.get(use: list).requiring(.account)
        units.post(use: create).requiring(.admins)
        units.patch(":unitID", use: update).requiring(.admins)
        units.delete(":unitID", use: delete).requiring(.admins)
        units.on(.POST, "import", body: .collect(maxSize: "5mb"), use: importFile).requiring(.admins)
    }

    @Sendable
    func list(req: Request) async throws -> [OrgUnitDTO] {
        try await Directory.units(for: try await req.actor(), on: req.db)
    }

    @Sendable
    func create(req: Request) async throws -> Response {
        let actor = try await req.actor()
        let body = try req.content.decode(OrgUnitCreateRequest.self)
        return try created(try OrgUnitDTO(try await OrgTree.createUnit(body, by: actor, on: req.db)))
    }

    @Sendable
    func update(req: Request) async throws -> OrgUnitDTO {
        let actor = try await req.actor()
        let unit = try await OrgTree.unitInScope(req.parameters.get("unitID"), of: actor, on: req.db)
        let body = try req.content.decode(OrgUnitUpdateRequest.self)
        try await OrgTree.updateUnit(unit, with: body, by: actor, on: req.db)
        return try OrgUnitDTO(unit)
    }

    @Sendable
    func delete(req: Request) async throws -> HTTPStatus {
        let actor = try await req.actor()
        let unit = try await OrgTree.unitInScope(req.parameters.get("unitID"), of: actor, on: req.db)
        try await OrgTree.deleteUnit(unit, by: actor, on: req.db)
        return .noContent
    }

    /// Imports a CSV or XLSX of units under `?parent=` (or the actor's own unit). All rows or none.
    @Sendable
    func importFile(req: Request) async throws -> Response {
        let actor = try await req.actor()
        let parent = try req.query.get(UUID?.self, at: "parent")
        let count = try await OrgTree.importUnits(Data(buffer: req.body.data ?? ByteBuffer()), under: parent, by: actor, on: req.db)
        return try created(ImportResultDTO(imported: count))
    }
}
