import Foundation
import Testing
@testable import PingyiCore

@Suite("Speech clock")
struct SpeechClockTests {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)
    func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

    @Test func aClockNotStartedShowsTheFullLimit() {
        let clock = SpeechClock(limitSeconds: 480)
        #expect(clock.phase(at: at(100)) == .notStarted)
        #expect(clock.remaining(at: at(100)) == 480)
        #expect(SpeechClock.format(remaining: 480) == "08:00")
    }

    @Test func runningCountsDownFromTheServerStart() throws {
        let clock = try SpeechClock(limitSeconds: 480).applying(.start, at: at(0))
        #expect(clock.elapsed(at: at(30)) == 30)
        #expect(clock.remaining(at: at(30)) == 450)
        #expect(clock.phase(at: at(30)) == .running)
        #expect(SpeechClock.format(remaining: clock.remaining(at: at(30.4))) == "07:30")
    }

    @Test func theLastMinuteWarnsThenOvertimeCountsUp() throws {
        let clock = try SpeechClock(limitSeconds: 480).applying(.start, at: at(0))
        #expect(clock.phase(at: at(419)) == .running)
        #expect(clock.phase(at: at(420)) == .warning)
        #expect(clock.phase(at: at(480)) == .warning)
        #expect(clock.phase(at: at(480.5)) == .overtime)
        #expect(SpeechClock.format(remaining: clock.remaining(at: at(545))) == "+01:05")
    }

    @Test func aPauseFreezesTheClockAndResumeSubtractsIt() throws {
        var clock = try SpeechClock(limitSeconds: 480).applying(.start, at: at(0))
        clock = try clock.applying(.pause, at: at(100))
        #expect(clock.phase(at: at(150)) == .paused)
        #expect(clock.elapsed(at: at(150)) == 100)
        #expect(clock.elapsed(at: at(1000)) == 100)
        clock = try clock.applying(.resume, at: at(160))
        #expect(clock.pausedSeconds == 60)
        #expect(clock.elapsed(at: at(200)) == 140)
        clock = try clock.applying(.pause, at: at(210))
        clock = try clock.applying(.resume, at: at(220))
        #expect(clock.elapsed(at: at(230)) == 160)
    }

    @Test func endingStoresTheRealDurationEvenFromAPause() throws {
        var clock = try SpeechClock(limitSeconds: 480).applying(.start, at: at(0))
        clock = try clock.applying(.pause, at: at(300))
        clock = try clock.applying(.end, at: at(400))
        #expect(clock.phase(at: at(500)) == .finished)
        #expect(clock.elapsed(at: at(9999)) == 300)
        #expect(clock.pausedAt == nil && clock.pausedSeconds == 100)
        #expect(clock.spokenSeconds == 300)
        #expect(try SpeechClock(limitSeconds: 480).applying(.start, at: at(0)).spokenSeconds == nil)
    }

    /// A reloaded page knows only the stored facts; it shows the same time as a page that watched all along.
    @Test func aReloadedScreenComputesTheSameTime() throws {
        var clock = try SpeechClock(limitSeconds: 480).applying(.start, at: at(0))
        clock = try clock.applying(.pause, at: at(50))
        clock = try clock.applying(.resume, at: at(80))
        let data = try JSONEncoder().encode(clock)
        let reloaded = try JSONDecoder().decode(SpeechClock.self, from: data)
        for second in stride(from: 80.0, through: 600, by: 7.3) {
            #expect(reloaded.remaining(at: at(second)) == clock.remaining(at: at(second)))
            #expect(reloaded.phase(at: at(second)) == clock.phase(at: at(second)))
        }
    }

    @Test(arguments: [
        (SpeechClock.Action.pause, SpeechClock.Phase.notStarted), (.resume, .notStarted), (.end, .notStarted),
    ])
    func actionsBeforeTheStartAreRefused(action: SpeechClock.Action, phase: SpeechClock.Phase) {
        #expect(throws: SpeechClock.ClockError.notAllowed(action, phase)) {
            try SpeechClock(limitSeconds: 480).applying(action, at: at(0))
        }
    }

    @Test func illegalActionsNameThePhaseInChinese() throws {
        let running = try SpeechClock(limitSeconds: 480).applying(.start, at: at(0))
        #expect(throws: SpeechClock.ClockError.notAllowed(.start, .running)) { try running.applying(.start, at: at(1)) }
        #expect(throws: SpeechClock.ClockError.notAllowed(.resume, .running)) { try running.applying(.resume, at: at(1)) }
        let paused = try running.applying(.pause, at: at(2))
        #expect(throws: SpeechClock.ClockError.notAllowed(.pause, .paused)) { try paused.applying(.pause, at: at(3)) }
        let ended = try paused.applying(.end, at: at(4))
        for action in SpeechClock.Action.allCases {
            #expect(throws: SpeechClock.ClockError.notAllowed(action, .finished)) { try ended.applying(action, at: at(5)) }
        }
        #expect(SpeechClock.ClockError.notAllowed(.pause, .paused).message == "发言已暂停，不能暂停")
    }

    @Test func aClockNeverRunsBackwardsWhenTheServerClockDoes() throws {
        var clock = try SpeechClock(limitSeconds: 480).applying(.start, at: at(100))
        #expect(clock.elapsed(at: at(50)) == 0)
        clock = try clock.applying(.pause, at: at(200))
        clock = try clock.applying(.resume, at: at(150))
        #expect(clock.pausedSeconds == 0)
    }

    @Test func formatRoundsSoTheDisplayChangesOnWholeSeconds() {
        #expect(SpeechClock.format(remaining: 59.01) == "01:00")
        #expect(SpeechClock.format(remaining: 59.0) == "00:59")
        #expect(SpeechClock.format(remaining: 0) == "00:00")
        #expect(SpeechClock.format(remaining: -0.5) == "+00:00")
        #expect(SpeechClock.format(remaining: -61) == "+01:01")
    }
}

@Suite("Attendance and quorum")
struct AttendanceTests {
    func attendance(_ present: [Int], _ expected: [Int]) -> Attendance {
        Attendance(groups: zip(present, expected).enumerated().map { Attendance.Group(name: "g\($0.offset)", expected: $0.element.1, present: $0.element.0) },
                   observersPresent: 0, observersExpected: 0, guestsPresent: 0, guestsExpected: 0)
    }

    @Test func moreThanHalfIsAQuorumExactlyHalfIsNot() {
        #expect(!attendance([10, 10], [20, 20]).hasQuorum)
        #expect(attendance([10, 11], [20, 20]).hasQuorum)
        #expect(attendance([10, 10], [20, 20]).shortOfQuorum == 1)
        #expect(attendance([3], [5]).hasQuorum)
        #expect(!attendance([2], [5]).hasQuorum)
        #expect(attendance([2], [5]).shortOfQuorum == 1)
    }

    @Test func noAttendeesIsNoQuorum() {
        #expect(!attendance([], []).hasQuorum)
    }

    @Test func totalsAddTheGroups() {
        let a = attendance([5, 10, 12], [6, 14, 20])
        #expect(a.attendeesExpected == 40 && a.attendeesPresent == 27)
    }
}
