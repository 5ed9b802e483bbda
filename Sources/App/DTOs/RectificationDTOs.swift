import Fluent
import Foundation
import PingyiCore
import Vapor

/// Create or edit an item. On edit every field is optional; on create the six parts are required.
struct RectificationItemRequest: Content {
    var orgUnitID: UUID?
    var campaignID: UUID?
    var reporteeID: UUID?
    var source: String?
    var category: String?
    var problem: String?
    var plan: String?
    var linkedLeader: String?
    var responsibleUnit: String?
    var responsiblePerson: String?
    var ownerUserID: UUID?
    /// `yyyy-MM-dd` (北京时间, by the end of that day).
    var deadline: String?
    var feedback: String?
    var publishWhenClosed: Bool?
    /// 责任单位 picked from the org tree (in the writer's scope); when given and not empty, 责任单位 becomes their names.
    /// An empty list clears the picks and keeps the free text.
    var responsibleUnitIDs: [UUID]?
}

struct RectificationActionRequest: Content {
    var action: String
    var note: String?
    /// The new deadline of 申请延期, `yyyy-MM-dd`.
    var deadline: String?
}

struct ExtensionDTO: Content {
    var deadline: String
    var reason: String
}

struct RectificationItemDTO: Content {
    var id: UUID
    var orgUnitID: UUID
    var orgUnitName: String
    var campaignID: UUID?
    var reporteeID: UUID?
    var source: String
    var sourceLabel: String
    var category: String
    var problem: String
    var plan: String
    var linkedLeader: String
    var responsibleUnit: String
    var responsiblePerson: String
    var ownerUserID: UUID?
    var deadline: String
    var state: String
    var stateLabel: String
    var overdue: Bool
    var dueSoon: Bool
    var pendingExtension: ExtensionDTO?
    var evidenceCount: Int
    var reopenCount: Int
    var feedback: String
    var publishWhenClosed: Bool
    var closedAt: Date?
    var createdBy: String
    var createdAt: Date?
    /// The latest progress note (整改进展), for the ledger's column.
    var latestProgress: String?
    /// What the reader may do now (action codes), so the page shows only those buttons.
    var actions: [String]
    var canEdit: Bool
    /// 责任单位 picked from the org tree; empty when 责任单位 is free text only (items from before the picker).
    var responsibleUnitIDs: [UUID] = []
}

struct RectificationEventDTO: Content {
    var at: Date
    var actor: String
    var action: String
    var actionLabel: String
    var fromState: String?
    var toState: String?
    var note: String
}

struct EvidenceDTO: Content {
    var id: UUID
    var fileName: String
    var contentType: String
    var byteCount: Int
    var sha256: String
    var uploadedBy: String
    var uploadedAt: Date
}

extension EvidenceDTO {
    init(_ evidence: RectificationEvidence) throws {
        self.init(id: try evidence.requireID(), fileName: evidence.fileName, contentType: evidence.contentType, byteCount: evidence.byteCount,
                  sha256: evidence.sha256, uploadedBy: evidence.uploadedBy, uploadedAt: evidence.uploadedAt)
    }
}

struct RectificationDetailDTO: Content {
    var item: RectificationItemDTO
    var events: [RectificationEventDTO]
    var evidence: [EvidenceDTO]
}

struct LedgerDashboardRowDTO: Content {
    var orgUnitID: UUID
    var orgUnitName: String
    var open: Int
    var overdue: Int
    var dueSoon: Int
    var closed: Int
}

struct ReminderDTO: Content {
    var unit: String
    var dueSoon: Int
    var overdue: Int
}

struct RemindersDTO: Content {
    var units: [ReminderDTO]
    var items: [RectificationItemDTO]
}

/// A closed item on the public notice (整改成果公示): no accounts, no ids of people.
struct PublicRectificationDTO: Content {
    var unit: String
    var category: String
    var problem: String
    var plan: String
    var feedback: String
    var closedOn: String
    /// 整改成果: what was reported at the last 申请销号 and the latest 回头看 that confirmed it (`LedgerRules.publicResult`).
    var result: String?
}
