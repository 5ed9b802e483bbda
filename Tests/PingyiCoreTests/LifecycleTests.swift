import Testing
@testable import PingyiCore

/// Every phase × every target, with and without counted rounds (issue 17: a count belongs to a round, so no campaign
/// enters 计票; publication goes from 会议中).
@Suite("Campaign lifecycle")
struct LifecycleTests {
    static let counted = BallotBoxFacts(hasRounds: true, hasUnfinishedRound: false, hasCountedRound: true)
    static let open = BallotBoxFacts(hasRounds: true, hasUnfinishedRound: true, hasCountedRound: true)

    func allowed(_ from: CampaignPhase, _ to: CampaignPhase, _ box: BallotBoxFacts) -> Bool {
        (try? from.transition(to: to, box: box)) != nil
    }

    /// The graph alone: a box that forbids nothing (counted, yet no round that would hold the campaign in its meeting).
    @Test func onlyTheseStepsExist() {
        let permissive = BallotBoxFacts(hasRounds: false, hasUnfinishedRound: false, hasCountedRound: true)
        let legal: Set<String> = ["preparing→meeting", "meeting→preparing", "meeting→published", "counting→published", "published→archived"]
        for from in CampaignPhase.allCases {
            for to in CampaignPhase.allCases {
                #expect(allowed(from, to, permissive) == legal.contains("\(from.rawValue)→\(to.rawValue)"), "\(from) → \(to)")
            }
        }
    }

    @Test func noPhaseLeadsIntoCounting() {
        #expect(!CampaignPhase.allCases.contains { $0.next == .counting })
        #expect(CampaignPhase.allCases.allSatisfy { !allowed($0, .counting, Self.counted) && !allowed($0, .counting, .empty) })
    }

    @Test func publicationNeedsACountedRoundAndNoOpenOne() {
        #expect(throws: LifecycleError.nothingCounted) { try CampaignPhase.meeting.transition(to: .published, box: .empty) }
        #expect(throws: LifecycleError.roundUnfinished) { try CampaignPhase.meeting.transition(to: .published, box: Self.open) }
        #expect(throws: LifecycleError.ballotsExist) { try CampaignPhase.meeting.transition(to: .preparing, box: Self.counted) }
    }

    /// Issue 22: a new round only when none is open or sealed and none was validly counted (a void round is repeated).
    @Test func aNewRoundNeedsNoUnfinishedAndNoCountedRound() {
        #expect(throws: Never.self) { try BallotBoxFacts.empty.checkNewRound() }
        let voidOnly = BallotBoxFacts(hasRounds: true, hasUnfinishedRound: false, hasCountedRound: false)
        #expect(throws: Never.self) { try voidOnly.checkNewRound() }
        #expect(throws: LifecycleError.alreadyCounted) { try Self.counted.checkNewRound() }
        #expect(throws: LifecycleError.previousRoundUnfinished) { try Self.open.checkNewRound() }
    }
}
