import Foundation
import Testing
@testable import PingyiCore

@Suite("Ledger rules (整改台账的分工)")
struct LedgerRulesTests {
    static let deadline = Date(timeIntervalSince1970: 1_800_000_000)

    func status(_ state: RectificationState, evidence: Int = 0, pending: Bool = false) -> RectificationStatus {
        RectificationStatus(state: state, deadline: Self.deadline,
                            pendingExtension: pending ? ExtensionRequest(deadline: Self.deadline + 86_400, reason: "r") : nil,
                            evidenceCount: evidence)
    }

    @Test func onlyAnAdminEditsAnOpenItem() throws {
        try LedgerRules.checkEdit(.inProgress, by: .admin, movesDeadline: false, changesOwner: true)
        try LedgerRules.checkEdit(.issued, by: .adminOwner, movesDeadline: false, changesOwner: false)
        #expect(throws: LedgerRuleError.notEditor) { try LedgerRules.checkEdit(.issued, by: .owner, movesDeadline: false, changesOwner: false) }
        #expect(throws: LedgerRuleError.closed) { try LedgerRules.checkEdit(.closed, by: .admin, movesDeadline: false, changesOwner: false) }
        #expect(LedgerRules.canEdit(.issued, by: .adminOwner) && !LedgerRules.canEdit(.closed, by: .admin) && !LedgerRules.canEdit(.issued, by: .owner))
    }

    /// Separation of duties: the deadline moves only through an extension, and an owner never hands the item on.
    @Test func theDeadlineAndTheOwnerAreGuarded() {
        #expect(throws: LedgerRuleError.deadlineOnlyByExtension) {
            try LedgerRules.checkEdit(.issued, by: .admin, movesDeadline: true, changesOwner: false)
        }
        #expect(throws: LedgerRuleError.ownerCannotHandOver) {
            try LedgerRules.checkEdit(.issued, by: .adminOwner, movesDeadline: false, changesOwner: true)
        }
    }

    @Test func aNewDeadlineIsNotInThePastAndEvidenceOnlyWhileOpen() throws {
        try LedgerRules.checkNewDeadline(Self.deadline, at: Self.deadline - 1)
        #expect(throws: LedgerRuleError.deadlineInPast) { try LedgerRules.checkNewDeadline(Self.deadline, at: Self.deadline + 1) }
        try LedgerRules.checkEvidence(.closeRequested)
        #expect(throws: LedgerRuleError.closedForEvidence) { try LedgerRules.checkEvidence(.closed) }
    }

    @Test func theOfferedActionsFollowTheStateMachine() {
        #expect(LedgerRules.availableActions(status(.issued), by: .owner) == [.acknowledge, .requestExtension])
        // 申请销号 is offered without evidence, so the page can say what is missing.
        #expect(LedgerRules.availableActions(status(.inProgress), by: .owner) == [.progress, .requestClose, .requestExtension])
        #expect(LedgerRules.availableActions(status(.closeRequested, evidence: 1), by: .admin) == [.approveClose, .reject])
        #expect(LedgerRules.availableActions(status(.closeRequested, evidence: 1), by: .adminOwner) == [.reject])
        #expect(LedgerRules.availableActions(status(.closed), by: .admin) == [.reopen, .confirm])
        #expect(LedgerRules.availableActions(status(.closed), by: .adminOwner) == [.reopen])
        #expect(LedgerRules.availableActions(status(.issued), by: .other).isEmpty)
    }

    /// 整改成果 on the public notice: what was reported at the last 申请销号 and the latest 回头看 that confirmed it;
    /// a reopening starts over; the 反馈公示机制 text is not a result.
    @Test func thePublicResultIsTheReportedFixAndTheLatestConfirmation() {
        #expect(LedgerRules.publicResult([]) == nil)
        #expect(LedgerRules.publicResult([("create", ""), ("acknowledge", "")]) == nil)
        let closed: [(action: String, note: String)] = [("create", ""), ("request_close", "首次报送"), ("reject", "佐证不足"),
                                                        ("request_close", "活动场所已整改"), ("approve_close", "")]
        #expect(LedgerRules.publicResult(closed) == "活动场所已整改")
        #expect(LedgerRules.publicResult(closed + [("confirm", "回访一"), ("confirm", "回访二")]) == "活动场所已整改；回头看确认：回访二")
        #expect(LedgerRules.publicResult([("request_close", "已全部落实。"), ("confirm", "回访见效。")]) == "已全部落实；回头看确认：回访见效。")
        #expect(LedgerRules.publicResult([("request_close", "已全部落实。")]) == "已全部落实。")
        let again = closed + [("confirm", "回访一"), ("reopen", "反弹"), ("request_close", "再次整改完成"), ("approve_close", "")]
        #expect(LedgerRules.publicResult(again) == "再次整改完成")
    }

    /// Issue 23's walk: 责任单位 picked from the org tree — each once, at most 20; their names as the text, shortened to
    /// fit; the dashboard counts an item under each picked unit, or where it was filed when nothing was picked.
    @Test func pickedResponsibleUnitsNameTheItemAndAreWhereTheDashboardCountsIt() throws {
        #expect(try LedgerRules.pickedUnits(["a", "b", "a"]) == ["a", "b"])
        #expect(throws: LedgerRuleError.tooManyUnits) { try LedgerRules.pickedUnits(Array(0...20)) }
        #expect(try LedgerRules.pickedUnits(Array(0..<20) + [0]).count == 20)
        #expect(LedgerRules.responsibleUnitText(["**镇党委", "**乡党委"]) == "**镇党委、**乡党委")
        let many = (1...20).map { "第\($0)村党支部委员会" }
        let short = LedgerRules.responsibleUnitText(many)
        #expect(short.count <= 100 && short.hasPrefix("第1村党支部委员会、") && short.hasSuffix("等 20 个单位"))
        #expect(LedgerRules.countedUnits(picked: [String](), filedUnder: "区委") == ["区委"])
        #expect(LedgerRules.countedUnits(picked: ["镇", "乡"], filedUnder: "区委") == ["镇", "乡"])
    }

    @Test func theEventNoteNamesTheDeadline() {
        let later = Self.deadline + 30 * 86_400
        var after = status(.inProgress)
        after.deadline = later
        #expect(LedgerRules.eventNote(.requestExtension, note: "人手不足", requested: later, after: after)
                == "申请延期至 \(CalendarDay.day(later))：人手不足")
        #expect(LedgerRules.eventNote(.approveExtension, note: "", requested: nil, after: after) == "同意延期至 \(CalendarDay.day(later))")
        #expect(LedgerRules.eventNote(.progress, note: "已整改一半", requested: nil, after: after) == "已整改一半")
    }

    @Test func theDashboardCountsPerUnitMostOverdueFirst() {
        let now = Self.deadline - 3 * 86_400
        var overdue = status(.inProgress)
        overdue.deadline = now - 1
        let items = [
            LedgerRules.DashboardItem(unit: "a", unitName: "甲镇", status: status(.issued)),
            LedgerRules.DashboardItem(unit: "a", unitName: "甲镇", status: status(.closed)),
            LedgerRules.DashboardItem(unit: "b", unitName: "乙镇", status: overdue),
        ]
        let rows = LedgerRules.dashboard(items, at: now)
        #expect(rows == [
            LedgerRules.UnitTally(unit: "b", unitName: "乙镇", open: 1, overdue: 1, dueSoon: 0, closed: 0),
            LedgerRules.UnitTally(unit: "a", unitName: "甲镇", open: 1, overdue: 0, dueSoon: 1, closed: 1),
        ])
    }
}
