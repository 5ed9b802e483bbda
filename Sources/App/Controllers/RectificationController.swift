import Fluent
import Foundation
import PingyiCore
import Vapor

/// 整改台账: items with the six parts, their state machine (PingyiCore), history, evidence and views. Admins manage the
/// items of units in their scope; a responsible person (the item's owner account) sees and works on their own items
/// only. Anyone else gets 404, as for anything out of scope. Exports and reminders are in `RectificationController+…`.
struct RectificationController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes.apiV1()
        let ledger = api.grouped("rectification")
        ledger.get(use: list).requiring(.account)
        ledger.post(use: create).requiring(.admins)
        ledger.get("draft", use: draft).requiring(.account)
        ledger.get("dashboard", use: dashboard).requiring(.admins)
        // An item: the actor's role on it (`RectificationRole`) decides; no role on it answers 404.
        let item = ledger.grouped(":itemID")
        item.get(use: detail).requiring(.account)
        item.patch(use: update).requiring(.account)
        item.post("actions", use: act).requiring(.account)
        item.on(.POST, "evidence", body: .collect(maxSize: ByteCount(value: ReportFile.maxBytes + 1024)), use: uploadEvidence)
            .requiring(.account)
        item.get("evidence", ":evidenceID", use: downloadEvidence).requiring(.account)
        bootReminders(api, ledger)
        bootExports(api)
    }

    // MARK: Reading

    @Sendable
    func list(req: Request) async throws -> [RectificationItemDTO] {
        let actor = try await req.actor()
        let filter = try LedgerFilter(req)
        return try await LedgerView.list(for: actor, filter: filter, on: req.db)
    }

    @Sendable
    func detail(req: Request) async throws -> RectificationDetailDTO {
        let actor = try await req.actor()
        let (item, _) = try await findItem(req, actor)
        return try await detailDTO(item, for: actor, on: req.db)
    }

    /// 看板: open, overdue, due within 7 days and closed items per unit, for the admin's scope.
    @Sendable
    func dashboard(req: Request) async throws -> [LedgerDashboardRowDTO] {
        let actor = try await req.actor()
        return try await LedgerView.dashboard(for: actor, on: req.db)
    }

    /// A pre-filled item from a chair comment (`from=comment`) or a result sheet (`from=result`), for the create form.
    @Sendable
    func draft(req: Request) async throws -> RectificationItemRequest {
        let actor = try await req.actor()
        return try await LedgerView.draft(from: req.query[String.self, at: "from"], reportee: req.query[String.self, at: "reportee"],
                                          campaign: req.query[String.self, at: "campaign"], for: actor, on: req.db)
    }

    // MARK: Changing

    @Sendable
    func create(req: Request) async throws -> Response {
        let actor = try await req.actor()
        let body = try req.content.decode(RectificationItemRequest.self)
        let item = try await Ledger.create(body, by: actor, on: req.db)
        return try created(try await detailDTO(item, for: actor, on: req.db))
    }

    /// Edits the six parts while the item is open. Admins only; the state changes only through actions.
    @Sendable
    func update(req: Request) async throws -> RectificationDetailDTO {
        let actor = try await req.actor()
        let (item, role) = try await findItem(req, actor)
        let body = try req.content.decode(RectificationItemRequest.self)
        let edited = try await Ledger.edit(item, as: role, with: body, by: actor, on: req.db)
        return try await detailDTO(edited, for: actor, on: req.db)
    }

    /// One step of the state machine: 签收, 报送进展, 申请销号, 同意销号, 驳回, 申请延期, 同意/不同意延期, 回头看.
    @Sendable
    func act(req: Request) async throws -> RectificationDetailDTO {
        let actor = try await req.actor()
        let (item, role) = try await findItem(req, actor)
        let body = try req.content.decode(RectificationActionRequest.self)
        let changed = try await Ledger.apply(body, to: item, as: role, by: actor, on: req.db)
        return try await detailDTO(changed, for: actor, on: req.db)
    }

    /// 佐证材料: PDF, DOCX, TXT, JPG or PNG up to 20 MB, with its SHA-256; only while the item is open.
    @Sendable
    func uploadEvidence(req: Request) async throws -> Response {
        let actor = try await req.actor()
        let (item, _) = try await findItem(req, actor)
        try LedgerRules.checkEvidence(item.state)
        let (data, file) = try ReportFile.upload(req, defaultName: "佐证材料", images: true)
        let evidence = try await Ledger.addEvidence(data, as: file, to: item, by: actor, on: req.db)
        return try created(try EvidenceDTO(evidence))
    }

    @Sendable
    func downloadEvidence(req: Request) async throws -> Response {
        let actor = try await req.actor()
        let (item, _) = try await findItem(req, actor)
        let evidence = try await LedgerView.evidence(req.parameters.get("evidenceID"), of: item, on: req.db)
        return storedFileResponse(evidence.data, fileName: evidence.fileName, contentType: evidence.contentType, sha256: evidence.sha256)
    }

    // MARK: Helpers

    /// The item and the actor's role on it; 404 when the actor has none (out of scope, or someone else's item).
    func findItem(_ req: Request, _ actor: Actor) async throws -> (RectificationItem, RectificationRole) {
        try await LedgerView.item(req.parameters.get("itemID"), for: actor, on: req.db)
    }
}
