import Fluent
import Foundation
import PingyiCore

/// 整改事项 ("六个一"): one problem, one linked leader, one responsible person and unit, one plan, one deadline, one
/// feedback-and-publicity record. Its state moves only through `PingyiCore.apply`.
final class RectificationItem: Model, @unchecked Sendable {
    static let schema = "rectification_items"

    @ID(key: .id) var id: UUID?
    /// The unit whose admins manage the item (scope).
    @Field(key: "org_unit_id") var orgUnitID: UUID
    @OptionalField(key: "campaign_id") var campaignID: UUID?
    @OptionalField(key: "reportee_id") var reporteeID: UUID?
    @Field(key: "source") var source: RectificationSource
    /// 问题类别, e.g. 党建工作 / 党风廉政 / 意识形态.
    @Field(key: "category") var category: String
    /// 问题表现
    @Field(key: "problem") var problem: String
    /// 整改目标与措施
    @Field(key: "plan") var plan: String
    /// 挂钩领导
    @Field(key: "linked_leader") var linkedLeader: String
    /// 责任单位
    @Field(key: "responsible_unit") var responsibleUnit: String
    /// 责任人
    @Field(key: "responsible_person") var responsiblePerson: String
    /// The responsible person's account, if they have one: they sign, report progress and ask to close.
    @OptionalField(key: "owner_user_id") var ownerUserID: UUID?
    /// Accounts responsible before the current owner, as a JSON list of ids.
    @OptionalField(key: "former_owner_ids") var storedFormerOwners: String?
    /// 责任单位 picked from the org tree, as a JSON list of ids; none for items whose 责任单位 is free text only.
    @OptionalField(key: "responsible_unit_ids") var storedResponsibleUnits: String?
    var formerOwnerIDs: [UUID] {
        get { Self.ids(storedFormerOwners) }
        set { storedFormerOwners = Self.json(newValue) }
    }
    var responsibleUnitIDs: [UUID] {
        get { Self.ids(storedResponsibleUnits) }
        set { storedResponsibleUnits = newValue.isEmpty ? nil : Self.json(newValue) }
    }
    private static func ids(_ stored: String?) -> [UUID] {
        stored.flatMap { try? JSONDecoder().decode([UUID].self, from: Data($0.utf8)) } ?? []
    }
    private static func json(_ ids: [UUID]) -> String? {
        (try? JSONEncoder().encode(ids)).map { String(decoding: $0, as: UTF8.self) }
    }
    /// 完成时限
    @Field(key: "deadline") var deadline: Date
    @Field(key: "state") var state: RectificationState
    @OptionalField(key: "pending_extension") var pendingExtension: ExtensionRequest?
    @Field(key: "evidence_count") var evidenceCount: Int
    @Field(key: "reopen_count") var reopenCount: Int
    /// 整改成果反馈公示: what was done, as published.
    @Field(key: "feedback") var feedback: String
    /// Shown on the public notice of closed items.
    @Field(key: "publish_when_closed") var publishWhenClosed: Bool
    @OptionalField(key: "closed_at") var closedAt: Date?
    @Field(key: "created_by") var createdBy: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var status: RectificationStatus {
        get {
            RectificationStatus(state: state, deadline: deadline, pendingExtension: pendingExtension, evidenceCount: evidenceCount,
                                reopenCount: reopenCount)
        }
        set {
            state = newValue.state
            deadline = newValue.deadline
            pendingExtension = newValue.pendingExtension
            evidenceCount = newValue.evidenceCount
            reopenCount = newValue.reopenCount
        }
    }
}

/// One step of an item's history (整改进展, 签收, 驳回, 延期, 回头看 …): who, when, why. Never changed once written.
final class RectificationEvent: Model, @unchecked Sendable {
    static let schema = "rectification_events"

    @ID(key: .id) var id: UUID?
    @Parent(key: "item_id") var item: RectificationItem
    @Field(key: "at") var at: Date
    @Field(key: "actor_id") var actorID: UUID
    @Field(key: "actor_name") var actorName: String
    /// A `RectificationAction` raw value, or `create`, `edit`, `evidence`.
    @Field(key: "action") var action: String
    @OptionalField(key: "from_state") var fromState: RectificationState?
    @OptionalField(key: "to_state") var toState: RectificationState?
    @Field(key: "note") var note: String

    init() {}

    init(itemID: UUID, at: Date, actor: Actor, action: String, from: RectificationState?, to: RectificationState?, note: String) {
        self.$item.id = itemID
        self.at = at
        self.actorID = actor.id
        self.actorName = actor.user.displayName
        self.action = action
        self.fromState = from
        self.toState = to
        self.note = note
    }
}

/// 佐证材料: a file attached to an item, with its size and SHA-256.
final class RectificationEvidence: Model, @unchecked Sendable {
    static let schema = "rectification_evidence"

    @ID(key: .id) var id: UUID?
    @Parent(key: "item_id") var item: RectificationItem
    @Field(key: "file_name") var fileName: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "byte_count") var byteCount: Int
    @Field(key: "sha256") var sha256: String
    @Field(key: "data") var data: Data
    @Field(key: "uploaded_by") var uploadedBy: String
    @Field(key: "uploaded_at") var uploadedAt: Date

    init() {}
}
