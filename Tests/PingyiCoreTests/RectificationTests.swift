import Foundation
import Testing
@testable import PingyiCore

@Suite("Rectification state machine (整改)")
struct RectificationTests {
    static let deadline = Date(timeIntervalSince1970: 1_800_000_000)
    static let later = deadline.addingTimeInterval(30 * 86_400)
    /// Input that satisfies every action's requirements (a reason, a later deadline).
    static let fullInput = RectificationInput(note: "理由", deadline: later)

    func status(_ state: RectificationState, evidence: Int = 1, pending: Bool = false) -> RectificationStatus {
        RectificationStatus(state: state, deadline: Self.deadline,
                            pendingExtension: pending ? ExtensionRequest(deadline: Self.later, reason: "延期理由") : nil, evidenceCount: evidence)
    }

    /// The whole table of legal moves: (state, action) → state after. Extension actions keep the state.
    static let legal: [RectificationState: [RectificationAction: RectificationState]] = [
        .issued: [.acknowledge: .acknowledged, .requestExtension: .issued, .approveExtension: .issued, .refuseExtension: .issued],
        .acknowledged: [.progress: .inProgress, .requestExtension: .acknowledged, .approveExtension: .acknowledged,
                        .refuseExtension: .acknowledged],
        .inProgress: [.progress: .inProgress, .requestClose: .closeRequested, .requestExtension: .inProgress,
                      .approveExtension: .inProgress, .refuseExtension: .inProgress],
        .closeRequested: [.approveClose: .closed, .reject: .inProgress, .approveExtension: .closeRequested,
                          .refuseExtension: .closeRequested],
        .closed: [.reopen: .inProgress, .confirm: .closed],
    ]

    /// Every state × every action by an admin (with evidence, and a pending extension where one is decided):
    /// the legal ones give the table's state, every other one is refused as illegal in that state.
    @Test(arguments: RectificationState.allCases)
    func everyTransitionFromEveryState(state: RectificationState) throws {
        for action in RectificationAction.allCases {
            let deciding = action == .approveExtension || action == .refuseExtension
            let before = status(state, pending: deciding)
            if let expected = Self.legal[state]?[action] {
                let after = try apply(action, to: before, by: .admin, input: Self.fullInput)
                #expect(after.state == expected, "\(state) \(action)")
            } else {
                #expect(throws: RectificationError.illegal(action, state), "\(state) \(action)") {
                    try apply(action, to: before, by: .admin, input: Self.fullInput)
                }
            }
        }
    }

    /// Issue 23's walk: a 回头看 that finds the fix holding is recorded; the item stays closed, its deadline and
    /// reopen count unchanged. Only an admin who was never its responsible person, and only with what was found.
    @Test func aLookBackThatConfirmsTheFixKeepsTheItemClosed() throws {
        var closed = status(.closed)
        closed.reopenCount = 1
        let after = try apply(.confirm, to: closed, by: .admin, input: RectificationInput(note: "回访三个村，活动场所管理规范"))
        #expect(after == closed)
        #expect(throws: RectificationError.notAllowed(.confirm)) { try apply(.confirm, to: closed, by: .owner, input: Self.fullInput) }
        #expect(throws: RectificationError.notAllowed(.confirm)) { try apply(.confirm, to: closed, by: .other, input: Self.fullInput) }
        #expect(throws: RectificationError.ownerCannotApprove) { try apply(.confirm, to: closed, by: .adminOwner, input: Self.fullInput) }
        #expect(throws: RectificationError.reasonRequired(.confirm)) {
            try apply(.confirm, to: closed, by: .admin, input: RectificationInput(note: "  "))
        }
        #expect(throws: RectificationError.illegal(.confirm, .inProgress)) { try apply(.confirm, to: status(.inProgress), by: .admin, input: Self.fullInput) }
    }

    @Test func theOrdinaryPathFromIssuedToClosedAndBack() throws {
        var s = status(.issued, evidence: 0)
        s = try apply(.acknowledge, to: s, by: .owner)
        s = try apply(.progress, to: s, by: .owner, input: RectificationInput(note: "已制定整改方案"))
        #expect(s.state == .inProgress)
        #expect(throws: RectificationError.evidenceRequired) { try apply(.requestClose, to: s, by: .owner, input: Self.fullInput) }
        s.evidenceCount = 2
        s = try apply(.requestClose, to: s, by: .owner, input: RectificationInput(note: "已完成"))
        s = try apply(.reject, to: s, by: .admin, input: RectificationInput(note: "佐证不充分"))
        #expect(s.state == .inProgress)
        s = try apply(.requestClose, to: s, by: .owner, input: RectificationInput(note: "已补充"))
        s = try apply(.approveClose, to: s, by: .admin)
        #expect(s.state == .closed && s.reopenCount == 0)
        s = try apply(.reopen, to: s, by: .admin, input: RectificationInput(note: "回头看发现反弹"))
        #expect(s.state == .inProgress && s.reopenCount == 1)
    }

    @Test func rolesAreChecked() {
        let s = status(.closeRequested)
        #expect(throws: RectificationError.notAllowed(.approveClose)) { try apply(.approveClose, to: s, by: .owner) }
        #expect(throws: RectificationError.ownerCannotApprove) { try apply(.approveClose, to: s, by: .adminOwner) }
        #expect(throws: RectificationError.notAllowed(.reject)) { try apply(.reject, to: s, by: .owner, input: Self.fullInput) }
        #expect(throws: RectificationError.notAllowed(.reopen)) { try apply(.reopen, to: status(.closed), by: .owner, input: Self.fullInput) }
        #expect(throws: RectificationError.ownerCannotApprove) {
            try apply(.approveExtension, to: status(.inProgress, pending: true), by: .adminOwner)
        }
        for action in RectificationAction.allCases {
            let deciding = action == .approveExtension || action == .refuseExtension
            for state in RectificationState.allCases {
                #expect(throws: RectificationError.notAllowed(action)) {
                    try apply(action, to: status(state, pending: deciding), by: .other, input: Self.fullInput)
                }
            }
        }
        // Owner-side actions are open to the owner and to an admin acting for them.
        for role in [RectificationRole.owner, .admin, .adminOwner] {
            #expect((try? apply(.acknowledge, to: status(.issued), by: role)) != nil)
        }
    }

    @Test func reasonsAreRequiredWhereTheRecordNeedsThem() {
        let empty = RectificationInput(note: "  \n", deadline: Self.later)
        #expect(throws: RectificationError.reasonRequired(.progress)) { try apply(.progress, to: status(.inProgress), by: .owner, input: empty) }
        #expect(throws: RectificationError.reasonRequired(.requestClose)) { try apply(.requestClose, to: status(.inProgress), by: .owner, input: empty) }
        #expect(throws: RectificationError.reasonRequired(.reject)) { try apply(.reject, to: status(.closeRequested), by: .admin, input: empty) }
        #expect(throws: RectificationError.reasonRequired(.reopen)) { try apply(.reopen, to: status(.closed), by: .admin, input: empty) }
        #expect(throws: RectificationError.reasonRequired(.requestExtension)) {
            try apply(.requestExtension, to: status(.inProgress), by: .owner, input: empty)
        }
        #expect(throws: RectificationError.reasonRequired(.refuseExtension)) {
            try apply(.refuseExtension, to: status(.inProgress, pending: true), by: .admin, input: empty)
        }
        #expect(throws: RectificationError.evidenceRequired) { try apply(.approveClose, to: status(.closeRequested, evidence: 0), by: .admin) }
    }

    @Test func extensionsMoveTheDeadlineOnlyWhenApproved() throws {
        let asked = try apply(.requestExtension, to: status(.inProgress), by: .owner, input: Self.fullInput)
        #expect(asked.pendingExtension == ExtensionRequest(deadline: Self.later, reason: "理由") && asked.deadline == Self.deadline)
        #expect(throws: RectificationError.extensionPending) { try apply(.requestExtension, to: asked, by: .owner, input: Self.fullInput) }
        let approved = try apply(.approveExtension, to: asked, by: .admin)
        #expect(approved.deadline == Self.later && approved.pendingExtension == nil)
        let refused = try apply(.refuseExtension, to: asked, by: .admin, input: RectificationInput(note: "无正当理由"))
        #expect(refused.deadline == Self.deadline && refused.pendingExtension == nil)
        #expect(throws: RectificationError.noExtensionPending) { try apply(.approveExtension, to: status(.inProgress), by: .admin) }
        #expect(throws: RectificationError.extensionNotLater) {
            try apply(.requestExtension, to: status(.inProgress), by: .owner, input: RectificationInput(note: "x", deadline: Self.deadline))
        }
        #expect(throws: RectificationError.reasonRequired(.requestExtension)) {
            try apply(.requestExtension, to: status(.inProgress), by: .owner, input: RectificationInput(note: "x"))
        }
        // Closing drops an undecided request.
        let closing = try apply(.approveClose, to: status(.closeRequested, pending: true), by: .admin)
        #expect(closing.pendingExtension == nil)
    }

    @Test func overdueAndDueSoon() {
        let s = status(.inProgress)
        #expect(!s.isOverdue(at: Self.deadline) && s.isOverdue(at: Self.deadline.addingTimeInterval(1)))
        #expect(s.isDueSoon(at: Self.deadline.addingTimeInterval(-7 * 86_400)) && !s.isDueSoon(at: Self.deadline.addingTimeInterval(-7 * 86_400 - 1)))
        #expect(!s.isDueSoon(at: Self.deadline.addingTimeInterval(1)))
        let closed = status(.closed)
        #expect(!closed.isOverdue(at: Self.later) && !closed.isDueSoon(at: Self.deadline))
    }

    @Test func remindersCountPerUnit() {
        let now = Self.deadline
        let items = [
            ReminderItem(unit: "乙镇", status: RectificationStatus(state: .inProgress, deadline: now.addingTimeInterval(-1))),
            ReminderItem(unit: "甲镇", status: RectificationStatus(state: .issued, deadline: now.addingTimeInterval(3 * 86_400))),
            ReminderItem(unit: "甲镇", status: RectificationStatus(state: .acknowledged, deadline: now.addingTimeInterval(-86_400))),
            ReminderItem(unit: "甲镇", status: RectificationStatus(state: .closed, deadline: now.addingTimeInterval(-86_400))),
            ReminderItem(unit: "丙镇", status: RectificationStatus(state: .inProgress, deadline: now.addingTimeInterval(30 * 86_400))),
        ]
        #expect(reminders(items, at: now) == [UnitReminder(unit: "乙镇", dueSoon: 0, overdue: 1), UnitReminder(unit: "甲镇", dueSoon: 1, overdue: 1)])
    }

    /// Random walks: whatever is tried, a closed item was approved with evidence, and the deadline never moves earlier.
    @Test func randomWalksKeepTheInvariants() {
        var rng = SplitMix64(seed: 0x2E55)
        let roles: [RectificationRole] = [.admin, .owner, .adminOwner, .other]
        for _ in 0..<500 {
            var s = RectificationStatus(deadline: Self.deadline)
            for _ in 0..<40 {
                let action = RectificationAction.allCases.randomElement(using: &rng)!
                let role = roles.randomElement(using: &rng)!
                if Int.random(in: 0..<4, using: &rng) == 0 { s.evidenceCount += 1 }
                let input = RectificationInput(note: Bool.random(using: &rng) ? "说明" : "",
                                               deadline: s.deadline.addingTimeInterval(Double(Int.random(in: -5...30, using: &rng)) * 86_400))
                guard let next = try? apply(action, to: s, by: role, input: input) else { continue }
                #expect(next.deadline >= s.deadline)
                if next.state == .closed, s.state != .closed {
                    #expect(action == .approveClose && role == .admin && s.evidenceCount > 0)
                }
                if next.state != s.state { #expect(Self.legal[s.state]?[action] == next.state) }
                s = next
            }
        }
    }
}

@Suite("Calendar days (完成时限)")
struct CalendarDayTests {
    @Test func aDeadlineIsTheEndOfThatDayInBeijing() throws {
        let date = try #require(CalendarDay.endOfDay("2026-12-31"))
        #expect(date.timeIntervalSince1970 == 1_798_732_799) // 2026-12-31 23:59:59 +08:00
        #expect(CalendarDay.day(date) == "2026-12-31")
        #expect(CalendarDay.day(date.addingTimeInterval(1)) == "2027-01-01")
        #expect(CalendarDay.endOfDay("2028-02-29") != nil)
    }

    @Test(arguments: ["", "2026-2-3", "2026-02-30", "2027-02-29", "2026-13-01", "1999-12-31", "2101-01-01", "２０２６-01-01",
                      "2026-01-01T00:00", "abcd-ef-gh", "2026/01/01", "-2026-01-0"])
    func anythingElseIsRefused(text: String) {
        #expect(CalendarDay.endOfDay(text) == nil)
    }
}
