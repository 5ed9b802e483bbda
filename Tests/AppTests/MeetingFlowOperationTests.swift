@testable import App
import Fluent
import Foundation
import PingyiCore
import Testing
import Vapor

/// `MeetingFlow` called directly: set up, run the operation, check what is stored.
@Suite("Meeting flow operations")
struct MeetingFlowOperationTests {
    struct Setup {
        var world: World
        var campaign: Campaign
        var meeting: Meeting
        var speakers: [Reportee]
        var chair: Actor
    }

    /// The demo campaign in 会议中 with its meeting, and the chair.
    func setUp(_ app: Application) async throws -> Setup {
        let world = try await World.make(app)
        let campaign = world.campaign
        campaign.status = .meeting
        try await campaign.save(on: app.db)
        let meeting = try await meetingOf(campaign, on: app.db)
        let speakers = try await Reportee.query(on: app.db).filter(\.$campaign.$id == campaign.id!).filter(\.$mode == .onsite)
            .sort(\.$position).all()
        return Setup(world: world, campaign: campaign, meeting: meeting, speakers: speakers, chair: try await actor(app, "chair"))
    }

    func speechRow(_ app: Application, _ reportee: Reportee) async throws -> Speech? {
        try await Speech.query(on: app.db).filter(\.$reportee.$id == reportee.id!).first()
    }

    @Test(arguments: TestDatabase.available)
    func oneSpeakerAtATimeAndACommentBeforeTheNext(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let s = try await setUp(app)
            let (first, second) = (s.speakers[0], s.speakers[1])
            let revision = s.meeting.revision
            // operation
            let started = try await MeetingFlow.speech(.start, of: first, in: s.campaign, meeting: s.meeting, by: s.chair, on: app.db)
            await #expect(throws: MeetingFlowError.someoneSpeaking(first.name)) {
                try await MeetingFlow.speech(.start, of: second, in: s.campaign, meeting: started, by: s.chair, on: app.db)
            }
            _ = try await MeetingFlow.speech(.end, of: first, in: s.campaign, meeting: started, by: s.chair, on: app.db)
            await #expect(throws: MeetingFlowError.commentMissing(first.name)) {
                try await MeetingFlow.speech(.start, of: second, in: s.campaign, meeting: started, by: s.chair, on: app.db)
            }
            _ = try await MeetingFlow.comment("条理清楚", skip: false, on: first, in: s.campaign, meeting: started, by: s.chair, on: app.db)
            let next = try await MeetingFlow.speech(.start, of: second, in: s.campaign, meeting: started, by: s.chair, on: app.db)
            // check
            let stored = try #require(try await Meeting.find(s.meeting.id, on: app.db))
            #expect(stored.currentReporteeID == second.id && next.currentReporteeID == second.id)
            #expect(stored.revision == revision + 4)
            #expect(stored.startedAt != nil)
            let firstSpeech = try #require(try await speechRow(app, first))
            #expect(firstSpeech.endedAt != nil && firstSpeech.comment == "条理清楚")
            #expect(try await speechRow(app, second)?.startedAt != nil)
            #expect(try await auditActions(app).suffix(4) == ["speech.start", "speech.end", "speech.comment", "speech.start"])
        }
    }

    @Test(arguments: TestDatabase.available)
    func theClockAndTheCommentRefuseTheWrongMoment(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let s = try await setUp(app)
            let first = s.speakers[0]
            let before = try await auditActions(app).count
            await #expect(throws: MeetingFlowError.clock(first.name, .notAllowed(.pause, .notStarted))) {
                try await MeetingFlow.speech(.pause, of: first, in: s.campaign, meeting: s.meeting, by: s.chair, on: app.db)
            }
            await #expect(throws: MeetingFlowError.notFinished(first.name)) {
                try await MeetingFlow.comment("好", skip: false, on: first, in: s.campaign, meeting: s.meeting, by: s.chair, on: app.db)
            }
            let written = try #require(try await Reportee.query(on: app.db).filter(\.$campaign.$id == s.campaign.id!).filter(\.$mode == .written).first())
            await #expect(throws: MeetingFlowError.writtenReport(written.name)) {
                try await MeetingFlow.speech(.start, of: written, in: s.campaign, meeting: s.meeting, by: s.chair, on: app.db)
            }
            // nothing stored, nothing logged
            #expect(try await speechRow(app, first) == nil)
            #expect(try await auditActions(app).count == before)
        }
    }

    @Test(arguments: TestDatabase.available)
    func theAgendaItemAndMessageAreStoredAndAudited(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let s = try await setUp(app)
            var meeting = try await MeetingFlow.setCurrentItem(2, of: s.campaign, meeting: s.meeting, by: s.chair, on: app.db)
            meeting = try await MeetingFlow.setMessage("请关闭手机\n谢谢", of: s.campaign, meeting: meeting, by: s.chair, on: app.db)
            meeting = try await MeetingFlow.replaceAgenda([AgendaInput(title: " 会上述职 ", kind: "reports"), AgendaInput(title: "民主评议", kind: "evaluation")],
                                                          of: s.campaign, meeting: meeting, by: s.chair, on: app.db)
            await #expect(throws: MeetingFlowError.noSuchItem) {
                try await MeetingFlow.setCurrentItem(2, of: s.campaign, meeting: meeting, by: s.chair, on: app.db)
            }
            await #expect(throws: MeetingFlowError.agendaKind) {
                try await MeetingFlow.replaceAgenda([AgendaInput(title: "x", kind: "party")], of: s.campaign, meeting: meeting, by: s.chair, on: app.db)
            }
            let stored = try #require(try await Meeting.find(s.meeting.id, on: app.db))
            #expect(stored.agenda.map(\.title) == ["会上述职", "民主评议"])
            #expect(stored.currentItem == 1)
            #expect(stored.message == "请关闭手机 谢谢")
            #expect(try await auditActions(app).suffix(3) == ["meeting.current", "meeting.message", "meeting.agenda"])
        }
    }

    @Test(arguments: TestDatabase.available)
    func checkInByCardCodeOnceThenUndo(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let s = try await setUp(app)
            let staff = try await actor(app, "teller")
            let person = try #require(try await Participant.query(on: app.db).filter(\.$campaign.$id == s.campaign.id!)
                .filter(\.$role == .attendee).sort(\.$position).first())
            let code = try #require(person.checkInCode)
            let typed = code.lowercased().prefix(4) + "-" + code.lowercased().dropFirst(4)
            let first = try await MeetingFlow.checkIn(CheckInRequest(code: String(typed)), in: s.campaign, by: staff, on: app.db)
            let again = try await MeetingFlow.checkIn(CheckInRequest(participantID: person.id), in: s.campaign, by: staff, on: app.db)
            #expect(first.participant.id == person.id && !first.alreadyCheckedIn && again.alreadyCheckedIn)
            #expect(try await Participant.find(person.id, on: app.db)?.checkedInAt != nil)
            #expect(try await attendanceOf(s.campaign, on: app.db).attendeesPresent == 1)
            #expect(try await auditActions(app).filter { $0 == "check_in" }.count == 1)
            await #expect(throws: APIError.self) {
                try await MeetingFlow.checkIn(CheckInRequest(code: "ZZZZZZZZ"), in: s.campaign, by: staff, on: app.db)
            }
            // undo
            let stored = try #require(try await Participant.find(person.id, on: app.db))
            try await MeetingFlow.undoCheckIn(stored, in: s.campaign, by: staff, on: app.db)
            #expect(try await Participant.find(person.id, on: app.db)?.checkedInAt == nil)
            await #expect(throws: APIError.self) { try await MeetingFlow.undoCheckIn(stored, in: s.campaign, by: staff, on: app.db) }
            #expect(try await auditActions(app).last == "check_in.undo")
        }
    }

    @Test(arguments: TestDatabase.available)
    func everyParticipantGetsACardWithAUniqueCode(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let s = try await setUp(app)
            // Someone added during the meeting, through the operation, has a card like everyone else.
            _ = try await CampaignPeople.addParticipant(ParticipantInput(name: "补报人员", unitName: nil, role: "observer", raterGroupID: nil),
                                                        to: s.campaign, by: try await actor(app, "districtAdmin"), on: app.db)
            let cards = try await CheckInCards.of(s.campaign, on: app.db)
            let count = try await Participant.query(on: app.db).filter(\.$campaign.$id == s.campaign.id!).count()
            #expect(cards.count == count)
            #expect(cards.allSatisfy { $0.code.count == 8 && $0.qrSVG.contains("<svg") })
            #expect(Set(cards.map(\.code)).count == cards.count)
            #expect(cards.last?.name == "补报人员")
        }
    }
}
