import Foundation
import Testing
@testable import PingyiCore

@Suite("Meeting flow (会议进程): one speaker at a time, a comment before the next")
struct MeetingRulesTests {
    typealias Facts = MeetingRules.SpeechFacts

    @Test func aReportStartsWhenNobodySpeaksAndEveryFinishedOneIsCommented() throws {
        try MeetingRules.checkCanStart([])
        try MeetingRules.checkCanStart([Facts(speaker: "王", started: true, ended: true, commented: true),
                                        Facts(speaker: "李", started: false, ended: false, commented: false)])
    }

    @Test func anotherSpeakerMustEndFirst() {
        #expect(throws: MeetingFlowError.someoneSpeaking("王")) {
            try MeetingRules.checkCanStart([Facts(speaker: "王", started: true, ended: false, commented: false)])
        }
        #expect(MeetingFlowError.someoneSpeaking("王").message == "王正在发言，请先结束")
    }

    @Test func aFinishedReportNeedsItsCommentOrAnExplicitNone() {
        #expect(throws: MeetingFlowError.commentMissing("王")) {
            try MeetingRules.checkCanStart([Facts(speaker: "王", started: true, ended: true, commented: false)])
        }
        #expect(MeetingFlowError.commentMissing("王").message == "请先记录对王的点评，或选择“不点评”")
    }

    /// A live speaker is named before an uncommented one: ending comes first.
    @Test func theLiveSpeakerIsNamedFirst() {
        #expect(throws: MeetingFlowError.someoneSpeaking("李")) {
            try MeetingRules.checkCanStart([Facts(speaker: "王", started: true, ended: true, commented: false),
                                            Facts(speaker: "李", started: true, ended: false, commented: false)])
        }
    }

    @Test func theClockRefusesWithTheSpeakersName() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let clock = SpeechClock(limitSeconds: 480)
        #expect(throws: MeetingFlowError.clock("王", .notAllowed(.pause, .notStarted))) {
            try MeetingRules.clock(clock, of: "王", applying: .pause, at: now)
        }
        #expect(MeetingFlowError.clock("王", .notAllowed(.pause, .notStarted)).message == "王发言尚未开始，不能暂停")
        let started = try MeetingRules.clock(clock, of: "王", applying: .start, at: now)
        #expect(started.startedAt == now)
    }

    @Test func writtenReportsAndUnfinishedCommentsAreRefused() {
        #expect(throws: MeetingFlowError.writtenReport("张")) { try MeetingRules.checkOnSite("张", onsite: false) }
        #expect(throws: MeetingFlowError.notFinished("张")) { try MeetingRules.checkCanComment("张", ended: false) }
        #expect(MeetingFlowError.writtenReport("张").message == "张是书面述职，不在会上发言")
        #expect(MeetingFlowError.notFinished("张").message == "张的述职结束后才能点评")
    }

    @Test func theAgendaHasOneToTwelveItemsOfKnownKinds() throws {
        #expect(try MeetingRules.agendaKinds(["reports", "evaluation"]) == [.reports, .evaluation])
        #expect(throws: MeetingFlowError.agendaSize) { try MeetingRules.agendaKinds([]) }
        #expect(throws: MeetingFlowError.agendaSize) { try MeetingRules.agendaKinds(Array(repeating: "other", count: 13)) }
        #expect(throws: MeetingFlowError.agendaKind) { try MeetingRules.agendaKinds(["party"]) }
        #expect(throws: MeetingFlowError.noSuchItem) { try MeetingRules.checkItem(3, of: AgendaItem.seedAgenda) }
        try MeetingRules.checkItem(0, of: AgendaItem.seedAgenda)
    }

    @Test func conflictsAreTheWrongMomentAndTheRestWrongInput() {
        let conflicts: [MeetingFlowError] = [.someoneSpeaking("a"), .commentMissing("a"), .clock("a", .notAllowed(.end, .finished)), .notFinished("a")]
        let invalid: [MeetingFlowError] = [.writtenReport("a"), .commentEmpty, .agendaSize, .agendaKind, .noSuchItem]
        let conflicting = conflicts.filter { $0.isStateConflict }.count, wrongInput = invalid.filter { !$0.isStateConflict }.count
        #expect(conflicting == conflicts.count && wrongInput == invalid.count)
    }
}
