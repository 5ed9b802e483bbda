import Fluent
import Foundation
import PingyiCore
import SQLKit
import Vapor

/// What the live screens and the chair's console read: the agenda, the speakers' clocks, attendance and the ballot
/// box's received-vs-issued. Reads only (the meeting row is created with the campaign).
enum LiveState {
    /// The projector's campaign and meeting, by the projector link's token; 404 for anything else.
    static func projected(token: String?, on db: any Database) async throws -> (Campaign, Meeting) {
        guard let token, (20...100).contains(token.count),
              let meeting = try await Meeting.query(on: db).filter(\.$projectorToken == token).first(),
              let campaign = try await Campaign.find(meeting.$campaign.id, on: db)
        else { throw APIError(.notFound, "not_found", "大屏链接无效") }
        return (campaign, meeting)
    }

    /// The chair's console for this reader: the live state, the comments, the projector link and the voting address.
    static func console(_ campaign: Campaign, _ meeting: Meeting, for actor: Actor, voteURL: String,
                        on db: any Database) async throws -> MeetingDTO {
        try await meetingDTO(campaign, meeting, canChair: actor.isAdmin || actor.role == .chair, voteURL: voteURL, on: db)
    }
}

func jsonText(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

/// Present / expected per rater group, observers and guests: one grouped query, however many people there are.
func attendanceOf(_ campaign: Campaign, on db: any Database) async throws -> Attendance {
    try await attendanceOf(campaignID: campaign.requireID(), on: db)
}

func attendanceOf(campaignID id: UUID, on db: any Database) async throws -> Attendance {
    try await attendanceOf(campaignID: id, groups: raterGroupNames(campaignID: id, on: db), on: db)
}

/// A campaign's rater groups in order, by id and name: what attendance and a round's progress are listed by.
func raterGroupNames(campaignID id: UUID, on db: any Database) async throws -> [(id: UUID, name: String)] {
    try await RaterGroup.query(on: db).filter(\.$campaign.$id == id).sort(\.$position).all().map { (id: try $0.requireID(), name: $0.name) }
}

/// Attendance with the campaign's rater groups already read (`groups` in order).
func attendanceOf(campaignID id: UUID, groups: [(id: UUID, name: String)], on db: any Database) async throws -> Attendance {
    try await attendanceOf(campaigns: [id: groups], on: db)[id] ?? Attendance(rows: [], groups: groups)
}

/// Attendance of several campaigns in one grouped query (the live screens' burst reads, issue 25), each with its rater
/// groups already read.
func attendanceOf(campaigns: [UUID: [(id: UUID, name: String)]], on db: any Database) async throws -> [UUID: Attendance] {
    guard !campaigns.isEmpty else { return [:] }
    let rows = try await (db as! any SQLDatabase).raw("""
        SELECT "campaign_id", "role", "rater_group_id", COUNT(*) AS "expected", COUNT("checked_in_at") AS "present"
        FROM "participants" WHERE "campaign_id" IN \(SQLBind.group(Array(campaigns.keys))) GROUP BY "campaign_id", "role", "rater_group_id"
        """).all(decoding: Attendance.Row.self)
    let byCampaign = Dictionary(grouping: rows, by: \.campaign_id)
    return campaigns.reduce(into: [:]) { $0[$1.key] = Attendance(rows: byCampaign[$1.key] ?? [], groups: $1.value) }
}

extension Attendance {
    /// A campaign's participants counted by role and rater group.
    struct Row: Decodable {
        var campaign_id: UUID
        var role: String
        var rater_group_id: UUID?
        var expected: Int
        var present: Int
    }

    init(rows: [Row], groups: [(id: UUID, name: String)]) {
        func total(_ role: ParticipantRole, _ key: KeyPath<Row, Int>) -> Int {
            rows.filter { $0.role == role.rawValue }.reduce(0) { $0 + $1[keyPath: key] }
        }
        self.init(
            groups: groups.map { group in
                let row = rows.first { $0.role == ParticipantRole.attendee.rawValue && $0.rater_group_id == group.id }
                return Attendance.Group(name: group.name, expected: row?.expected ?? 0, present: row?.present ?? 0)
            },
            observersPresent: total(.observer, \.present), observersExpected: total(.observer, \.expected),
            guestsPresent: total(.guest, \.present), guestsExpected: total(.guest, \.expected))
    }
}

/// What a live screen shows of the campaign itself. The burst reads fetch only these columns: decoding the whole row
/// (its forms and rules) on every read was 4–5 % of an instance's time in the district bench (issue 25).
struct LiveCampaign: Decodable, Sendable {
    var id: UUID
    var title: String
    var status: CampaignStatus

    init(_ campaign: Campaign) throws {
        id = try campaign.requireID()
        title = campaign.title
        status = campaign.status
    }

    static func find(_ id: UUID, on db: any Database) async throws -> LiveCampaign? {
        try await (db as! any SQLDatabase).select().columns("id", "title", "status").from(Campaign.schema)
            .where("id", .equal, id).first(decoding: LiveCampaign.self)
    }
}

func liveStateOf(_ campaign: Campaign, _ meeting: Meeting, on db: any Database) async throws -> LiveStateDTO {
    try await liveStateOf(LiveCampaign(campaign), meeting, on: db)
}

func liveStateOf(_ campaign: LiveCampaign, _ meeting: Meeting, on db: any Database) async throws -> LiveStateDTO {
    try await LiveSnapshot.read(campaign, meeting, on: db).state
}

func meetingDTO(_ campaign: Campaign, _ meeting: Meeting, canChair: Bool, voteURL: String, on db: any Database) async throws -> MeetingDTO {
    let speeches = try await Speech.query(on: db).filter(\.$campaignID == campaign.requireID()).all()
    var comments: [String: String] = [:]
    for speech in speeches { if let comment = speech.comment { comments[speech.$reportee.id.uuidString] = comment } }
    return MeetingDTO(live: try await liveStateOf(campaign, meeting, on: db), comments: comments,
                      projectorPath: "/p/\(meeting.projectorToken)", canChair: canChair, voteURL: voteURL,
                      voteAddressWarning: PublicAddress.warning(for: voteURL))
}
