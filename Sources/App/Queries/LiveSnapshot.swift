import Fluent
import Foundation
import PingyiCore
import SQLKit

/// A campaign's live state as last read whole, kept so that a burst of ballots or check-ins re-reads only the counts
/// (issue 25: with a hundred meetings the screens' whole reads, eleven queries each, kept the instances' cores busy).
/// Everything else changes only by a chair's action or a round's step, which move `Key`; the set-up (reportees, rater
/// groups) can change without moving it before the meeting, so a snapshot is read whole again after `longestReuse(_:)`.
struct LiveSnapshot: Sendable {
    /// What a whole read depends on besides the counts: the meeting's revision (agenda, message, clocks, comments), the
    /// campaign's title and status, and the latest round, its state and what it issued (codes and sheets given out
    /// later, 补发).
    struct Key: Decodable, Equatable, Sendable {
        var revision: Int
        var status: String
        var title: String
        var round_id: UUID?
        var round_state: String?
        var issued_codes: Int?
        var issued_sheets: Int?
    }

    var key: Key
    var readAt: ContinuousClock.Instant
    var state: LiveStateDTO
    /// The speakers' clocks, in the state's order: their phase depends on the time of each read.
    var clocks: [SpeechClock]
    /// The rater groups in the state's order (attendance and the round's progress).
    var raterGroups: [(id: UUID, name: String)]

    static let longestReuse = Duration.seconds(5)

    /// The whole read.
    static func read(_ campaign: LiveCampaign, _ meeting: Meeting, on db: any Database) async throws -> LiveSnapshot {
        let id = campaign.id
        let now = Date()
        let onsite = try await Reportee.query(on: db).filter(\.$campaign.$id == id).filter(\.$mode == .onsite).sort(\.$position).all()
        let speeches = try await Speech.query(on: db).filter(\.$campaignID == id).all()
        var clocks: [SpeechClock] = []
        let speakers = try onsite.map { reportee -> SpeakerDTO in
            let (speech, clock) = reportee.speech(in: speeches)
            clocks.append(clock)
            return SpeakerDTO(reporteeID: try reportee.requireID(), position: reportee.position, name: reportee.name,
                              unitName: reportee.unitName, title: reportee.title, clock: ClockDTO(clock, now: now),
                              durationSeconds: clock.spokenSeconds,
                              commented: speech?.isCommented ?? false, commentSkipped: speech?.commentSkipped ?? false)
        }
        let named = try await raterGroupNames(campaignID: id, on: db)
        let round = try await BallotRound.query(on: db).filter(\.$campaign.$id == id).sort(\.$number, .descending).first()
        let state = LiveStateDTO(
            campaignTitle: campaign.title, status: campaign.status.rawValue, agenda: meeting.agenda, currentItem: meeting.currentItem,
            message: meeting.message, speakers: speakers, currentReporteeID: meeting.currentReporteeID,
            attendance: AttendanceDTO(try await attendanceOf(campaignID: id, groups: named, on: db)),
            round: round == nil ? nil : try await liveRound(round!, groups: named, on: db),
            revision: meeting.revision, serverTimeMs: epochMs(Date()))
        let key = Key(revision: meeting.revision, status: campaign.status.rawValue, title: campaign.title,
                      round_id: round?.id, round_state: round?.state.rawValue, issued_codes: round?.issuedCodes, issued_sheets: round?.issuedSheets)
        return LiveSnapshot(key: key, readAt: .now, state: state, clocks: clocks, raterGroups: named)
    }

    /// The state with the counts read again (attendance; phone ballots while the round is open), or nil when the
    /// snapshot is older than `longestReuse(reuse)` or its key has moved, and the state must be read whole.
    func reread(campaignID id: UUID, reuse: Duration? = nil, on db: any Database) async throws -> LiveStateDTO? {
        try await Self.reread([id: self], reuse: reuse, on: db)[id]
    }

    /// The burst reads of every campaign that changed in a period, in three queries however many there are (issue 25:
    /// a hundred meetings re-read one by one were three hundred queries a second per instance): whose snapshot still
    /// holds, with its counts read again. A campaign missing from the answer must be read whole.
    static func reread(_ snapshots: [UUID: LiveSnapshot], reuse: Duration? = nil, on db: any Database) async throws -> [UUID: LiveStateDTO] {
        let fresh = snapshots.filter { ContinuousClock.now - $0.value.readAt < $0.value.longestReuse(reuse) }
        guard !fresh.isEmpty else { return [:] }
        // Each meeting's key as it is now, with the campaign it belongs to.
        let current = try await (db as! any SQLDatabase).raw("""
            SELECT m."campaign_id", m."revision", c."status", c."title", r."id" AS "round_id", r."state" AS "round_state",
            r."issued_codes", r."issued_sheets"
            FROM "meetings" m JOIN "campaigns" c ON c."id" = m."campaign_id"
            LEFT JOIN "ballot_rounds" r ON r."id" = (SELECT "id" FROM "ballot_rounds" WHERE "campaign_id" = m."campaign_id"
                                                    ORDER BY "number" DESC LIMIT 1)
            WHERE m."campaign_id" IN \(SQLBind.group(Array(fresh.keys)))
            """).all().map { row in (campaign_id: try row.decode(column: "campaign_id", as: UUID.self), key: try row.decode(model: Key.self)) }
        let holding = current.filter { row in
            fresh[row.campaign_id]?.key == row.key && (row.key.round_state == nil || row.key.round_state == BallotRoundState.open.rawValue)
        }.compactMap { row in fresh[row.campaign_id].map { (id: row.campaign_id, snapshot: $0) } }
        guard !holding.isEmpty else { return [:] }
        let attendance = try await attendanceOf(campaigns: Dictionary(holding.map { ($0.id, $0.snapshot.raterGroups) }, uniquingKeysWith: { a, _ in a }), on: db)
        let phones = try await phoneBallotsByGroup(rounds: holding.compactMap(\.snapshot.key.round_id), on: db)
        let now = Date()
        var states: [UUID: LiveStateDTO] = [:]
        for (id, snapshot) in holding {
            states[id] = snapshot.counted(attendance: attendance[id] ?? Attendance(rows: [], groups: snapshot.raterGroups),
                                          phones: snapshot.key.round_id.flatMap { phones[$0] } ?? [:], now: now)
        }
        return states
    }

    /// How long this snapshot serves at most. While the meeting runs the set-up is frozen (`allowsSetupChanges`) and
    /// everything else a whole read shows moves the key, so it serves until then (ten minutes, should something move
    /// it unseen). Before the meeting an edited reportee or rater group moves no key: 5 s. `reuse`, a test's
    /// override, replaces both.
    func longestReuse(_ reuse: Duration? = nil) -> Duration {
        reuse ?? (key.status == CampaignPhase.meeting.rawValue ? Self.longestReuseInMeeting : Self.longestReuse)
    }

    static let longestReuseInMeeting = Duration.seconds(600)

    /// The state with these counts, and the speakers' clocks at `now`.
    private func counted(attendance: Attendance, phones: [UUID: Int], now: Date) -> LiveStateDTO {
        var state = self.state
        state.attendance = AttendanceDTO(attendance)
        if key.round_id != nil, var round = state.round {
            round.receivedPhone = phones.values.reduce(0, +)
            round.received = round.receivedPhone
            for (index, group) in raterGroups.enumerated() where index < round.groups.count {
                round.groups[index].received = phones[group.id] ?? 0
            }
            state.round = round
        }
        for index in state.speakers.indices where index < clocks.count {
            state.speakers[index].clock = ClockDTO(clocks[index], now: now)
        }
        state.serverTimeMs = epochMs(now)
        return state
    }
}
