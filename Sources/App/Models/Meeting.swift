import Fluent
import Foundation
import PingyiCore

/// The live meeting of one campaign.
final class Meeting: Model, @unchecked Sendable {
    static let schema = "meetings"

    @ID(key: .id) var id: UUID?
    @Parent(key: "campaign_id") var campaign: Campaign
    @Field(key: "agenda") var storedAgenda: JSONList<AgendaItem>
    /// Index into the agenda.
    @Field(key: "current_item") var currentItem: Int
    /// The on-site reportee on the projector (speaking, or next up).
    @OptionalField(key: "current_reportee_id") var currentReporteeID: UUID?
    /// One line the chair shows on the projector.
    @Field(key: "message") var message: String
    /// The projector's read-only link.
    @Field(key: "projector_token") var projectorToken: String
    /// Goes up with every change, so screens can ignore stale updates.
    @Field(key: "revision") var revision: Int
    @OptionalField(key: "started_at") var startedAt: Date?

    var agenda: [AgendaItem] {
        get { storedAgenda.items }
        set { storedAgenda = JSONList(newValue) }
    }

    init() {}

    init(campaignID: UUID) {
        self.$campaign.id = campaignID
        self.storedAgenda = JSONList(AgendaItem.seedAgenda)
        self.currentItem = 0
        self.message = ""
        self.projectorToken = Tokens.generate()
        self.revision = 0
    }
}

/// One on-site report and the chair's comment on it.
final class Speech: Model, @unchecked Sendable {
    static let schema = "speeches"

    @ID(key: .id) var id: UUID?
    @Field(key: "campaign_id") var campaignID: UUID
    @Parent(key: "reportee_id") var reportee: Reportee
    @Field(key: "limit_seconds") var limitSeconds: Int
    @OptionalField(key: "started_at") var startedAt: Date?
    @OptionalField(key: "paused_at") var pausedAt: Date?
    @Field(key: "paused_seconds") var pausedSeconds: Double
    @OptionalField(key: "ended_at") var endedAt: Date?
    @OptionalField(key: "comment") var comment: String?
    @Field(key: "comment_skipped") var commentSkipped: Bool

    init() {}

    init(campaignID: UUID, reporteeID: UUID, limitSeconds: Int) {
        self.campaignID = campaignID
        self.$reportee.id = reporteeID
        self.limitSeconds = limitSeconds
        self.pausedSeconds = 0
        self.commentSkipped = false
    }

    var clock: SpeechClock {
        get { SpeechClock(limitSeconds: limitSeconds, startedAt: startedAt, pausedAt: pausedAt, pausedSeconds: pausedSeconds, endedAt: endedAt) }
        set {
            startedAt = newValue.startedAt
            pausedAt = newValue.pausedAt
            pausedSeconds = newValue.pausedSeconds
            endedAt = newValue.endedAt
        }
    }

    /// The chair has commented, or recorded that there was no comment.
    var isCommented: Bool { comment != nil || commentSkipped }
}

extension Reportee {
    /// This reportee's speech among a campaign's speeches, and its clock (a fresh one at the reportee's limit if it
    /// has not started).
    func speech(in speeches: [Speech]) -> (speech: Speech?, clock: SpeechClock) {
        let speech = speeches.first { $0.$reportee.id == id }
        return (speech, speech?.clock ?? SpeechClock(limitSeconds: timeLimitSeconds))
    }
}
