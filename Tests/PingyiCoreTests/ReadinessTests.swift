import Testing
@testable import PingyiCore

@Suite("Meeting readiness (筹备清单)")
struct ReadinessTests {
    static let ready = ReadinessFacts(forms: 3, raterGroups: 3, reportees: 11, onsiteReportees: 4, attendees: 40, minimumGroupSize: 3,
                                      linkedAccounts: 0, writtenReportees: 7, writtenReports: 0, rulesValid: true)

    @Test func aCompleteSetUpMayStartWithAdviceLeft() {
        #expect(MeetingReadiness.missing(Self.ready).isEmpty)
        let advice = MeetingReadiness.items(Self.ready).filter { !$0.done }.map(\.key)
        #expect(advice == ["accounts", "written_reports"])
    }

    @Test func eachRequiredGapStopsTheMeeting() {
        var f = Self.ready
        f.forms = 0
        #expect(MeetingReadiness.missing(f) == ["评议表"])
        f = Self.ready; f.rulesValid = false
        #expect(MeetingReadiness.missing(f) == ["评议规则与权重"])
        f = Self.ready; f.attendees = 2
        #expect(MeetingReadiness.missing(f) == ["出席（参加评议）人员"])
        f = Self.ready; f.reportees = 0; f.raterGroups = 0
        #expect(MeetingReadiness.missing(f) == ["评议人类别", "述职对象"])
    }
}
