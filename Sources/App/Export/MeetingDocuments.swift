import Foundation
import PingyiCore

/// What a 会议通知 says that the campaign does not hold: time, place, what to bring, contact (given when it is made).
struct MeetingNoticeDetails: Sendable, Hashable {
    var time: String
    var place: String
    var bring: String
    var contact: String
}

/// Who a 会议通知 calls, from the campaign's participants and reportees (the participants API's rows).
struct MeetingNoticeFacts: Sendable {
    struct Person: Sendable {
        var name: String
        var unitName: String
        var role: ParticipantRole
        var raterGroup: String?
    }

    var title: String
    var agenda: [AgendaItem]
    /// On-site reportees in speaking order, then written ones, as "单位 姓名".
    var onsite: [String]
    var written: [String]
    var participants: [Person]

    /// The units of the participants of a role, in the order first listed, with their people.
    func byUnit(_ role: ParticipantRole) -> [(unit: String, people: [Person])] {
        var order: [String] = []
        var grouped: [String: [Person]] = [:]
        for person in participants where person.role == role {
            if grouped[person.unitName] == nil { order.append(person.unitName) }
            grouped[person.unitName, default: []].append(person)
        }
        return order.map { ($0, grouped[$0]!) }
    }
}

/// 会议通知 and 会议纪要 (issue 24), in the layout of the other 公文 (`OfficialDocuments`).
enum MeetingDocuments {
    static let participantHeader = ["序号", "姓名", "单位", "参会身份", "评议人类别"]
    static let attendanceHeader = ["评议人类别", "应到", "实到"]
    static let speakerHeader = ["序号", "述职对象", "单位职务", "时限", "实际用时", "主持人点评"]
    static let roundHeader = ["轮次", "状态", "发出", "收回", "有效", "无效", "结论"]

    /// 一、二、…
    static func numeral(_ n: Int) -> String {
        let digits = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]
        return n <= 10 ? digits[n] : "十" + digits[n - 10]
    }

    /// "区委办公室（2人）：张三、李四" per unit.
    static func unitLines(_ units: [(unit: String, people: [MeetingNoticeFacts.Person])]) -> [String] {
        units.map { "\($0.unit)（\($0.people.count)人）：\($0.people.map(\.name).joined(separator: "、"))" }
    }

    /// 会议通知: time, place, agenda, who attends (出席/列席 by unit), what to bring, contact; the participants as 附件.
    static func notice(_ facts: MeetingNoticeFacts, details: MeetingNoticeDetails, heading: DocumentHeading) -> DOCXDocument {
        var blocks = OfficialDocuments.head(heading)
        let title = "关于召开\(facts.title)会议的通知"
        blocks.append(.text(.title, title))
        blocks.append(.text(.plain, "\(heading.recipients)："))
        blocks.append(.text(.body, "经研究，定于\(details.time)在\(details.place)召开\(facts.title)会议。现将有关事项通知如下。"))
        var section = 0
        func heading1(_ text: String) {
            section += 1
            blocks.append(.text(.heading1, "\(numeral(section))、\(text)"))
        }
        heading1("会议时间")
        blocks.append(.text(.body, details.time))
        heading1("会议地点")
        blocks.append(.text(.body, details.place))
        heading1("会议议程")
        for (index, item) in facts.agenda.enumerated() {
            var line = "\(index + 1). \(item.title)"
            if item.kind == .reports, !facts.onsite.isEmpty {
                line += "：\(facts.onsite.count)名党组织书记依次会上述职（\(facts.onsite.joined(separator: "、"))）"
            }
            blocks.append(.text(.body, line + "。"))
        }
        if !facts.written.isEmpty {
            blocks.append(.text(.body, "另有\(facts.written.count)名党组织书记书面述职（\(facts.written.joined(separator: "、"))），述职报告印发与会人员。"))
        }
        heading1("参会人员")
        let attendees = facts.byUnit(.attendee), observers = facts.byUnit(.observer), guests = facts.byUnit(.guest)
        blocks.append(.text(.heading2, "（一）出席人员（\(attendees.reduce(0) { $0 + $1.people.count })人）"))
        for line in unitLines(attendees) { blocks.append(.text(.body, line)) }
        if attendees.isEmpty { blocks.append(.text(.body, "出席人员名单另行通知。")) }
        blocks.append(.text(.heading2, "（二）列席人员（\(observers.reduce(0) { $0 + $1.people.count })人）"))
        for line in unitLines(observers) { blocks.append(.text(.body, line)) }
        if observers.isEmpty { blocks.append(.text(.body, "无。")) }
        if !guests.isEmpty {
            blocks.append(.text(.heading2, "（三）指导人员（\(guests.reduce(0) { $0 + $1.people.count })人）"))
            for line in unitLines(guests) { blocks.append(.text(.body, line)) }
        }
        heading1("有关要求")
        blocks.append(.text(.body, "请参会人员提前15分钟到达会场签到，会议期间将手机调至静音。请携带：\(details.bring)。"))
        blocks.append(.text(.body, "参会人员因故不能出席的，请于会前向会议组织部门请假；出席人员不得委托他人代为评议。"))
        heading1("联系方式")
        blocks.append(.text(.body, details.contact))
        blocks.append(.text(.plain, ""))
        blocks.append(.text(.body, "附件：参会人员名单"))
        blocks += OfficialDocuments.tail(heading)
        // 附件 on a page of its own: “附件” in 黑体 at the top left, its title, the list.
        blocks.append(.pageBreak)
        blocks.append(.text(.attachmentMark, "附件"))
        blocks.append(.text(.title, "参会人员名单"))
        let roleOrder: [ParticipantRole] = [.attendee, .observer, .guest]
        let listed = roleOrder.flatMap { role in facts.participants.filter { $0.role == role } }
        blocks.append(.table(DOCXTable(header: participantHeader, rows: listed.enumerated().map { index, person in
            [String(index + 1), person.name, person.unitName, person.role.label, person.raterGroup ?? "—"]
        }, widths: [1.4, 2.6, 6, 2, 4])))
        return DOCXDocument(blocks: blocks, record: OfficialDocuments.record(heading), title: title)
    }

    /// 会议纪要 from the printed minutes' read model (`MinutesDTO`): attendance per rater group, the on-site speakers
    /// with their durations and the chair's comments, the written reporters, each round's ballot, the decisions.
    static func minutes(_ m: MinutesDTO, heading: DocumentHeading) -> DOCXDocument {
        var blocks: [DOCXBlock] = [.paragraph(.issuerMark, [DOCXRun("会议纪要", red: true)]), .text(.docNumber, heading.number)]
        let title = "\(m.title)会议纪要"
        blocks.append(.text(.title, title))
        let agenda = m.agenda.enumerated().map { "\($0.offset + 1). \($0.element.title)" }.joined(separator: "；")
        blocks.append(.text(.body, (m.meetingDate == nil ? "" : "\(m.meetingDateText)，") + "\(heading.issuer)组织召开\(m.title)会议。会议议程：\(agenda)。现将会议主要情况纪要如下。"))
        blocks.append(.text(.heading1, "一、出席情况"))
        let a = m.attendance
        blocks.append(.text(.body, "应到评议人\(a.attendeesExpected)人，实到\(a.attendeesPresent)人，"
                             + (a.hasQuorum ? "超过半数，符合评议要求。" : "未过半数。")
                             + "列席\(a.attendance.observersPresent)人；"
                             + (m.guestUnits.isEmpty ? "无指导人员签到。" : "\(m.guestUnits.joined(separator: "、"))有关负责同志到会指导。")))
        blocks.append(.table(DOCXTable(header: attendanceHeader, rows: a.attendance.groups.map { [$0.name, String($0.expected), String($0.present)] },
                                       widths: [6, 2, 2])))
        blocks.append(.text(.heading1, "二、会上述职"))
        if m.speakers.isEmpty {
            blocks.append(.text(.body, "无会上述职。"))
        } else {
            blocks.append(.text(.body, "\(m.speakers.count)名党组织书记依次会上述职，主持人逐一点评。"))
            blocks.append(.table(DOCXTable(header: speakerHeader, rows: m.speakers.map { s in
                [String(s.position), s.name, "\(s.unitName) \(s.title)", s.limitText, s.durationText + (s.overtime ? "（超时）" : ""),
                 s.commentSkipped ? "（未点评）" : (s.comment ?? "—")]
            }, widths: [1.2, 2.2, 4, 1.8, 2.2, 6], leftAligned: [5])))
        }
        blocks.append(.text(.heading1, "三、书面述职"))
        blocks.append(.text(.body, m.writtenReportees.isEmpty ? "无。" : "\(m.writtenReportees.joined(separator: "、"))作书面述职，述职报告已印发与会人员。"))
        blocks.append(.text(.heading1, "四、民主评议"))
        let counted = m.rounds.filter { $0.verdictLabel != nil }
        if m.rounds.isEmpty {
            blocks.append(.text(.body, "尚未开启投票。"))
        } else {
            blocks.append(.text(.body, "共进行\(m.rounds.count)轮投票" + (counted.isEmpty ? "，尚未计票。" : "，已计票\(counted.count)轮。")))
            for r in m.rounds {
                var line = "第\(r.number)轮：发出评议票\(r.issued)张，收回\(r.returned)张"
                if let valid = r.valid { line += "，其中有效票\(valid)张" }
                if let void = r.void { line += "、无效票\(void)张" }
                blocks.append(.text(.body, line + (r.verdictLabel.map { "；结论：\($0)。" } ?? "（\(r.stateLabel)）。")))
            }
            func dash(_ n: Int?) -> String { n.map(String.init) ?? "—" }
            blocks.append(.table(DOCXTable(header: roundHeader, rows: m.rounds.map { r in
                ["第\(r.number)轮", r.stateLabel, String(r.issued), String(r.returned), dash(r.valid), dash(r.void), r.verdictLabel ?? "—"]
            }, widths: [1.6, 2.4, 1.4, 1.4, 1.4, 1.4, 2.4])))
        }
        blocks.append(.text(.heading1, "五、会议决定"))
        for (index, line) in decisions(m, issuer: heading.issuer).enumerated() {
            blocks.append(.text(.body, "\(index + 1). \(line)"))
        }
        blocks += OfficialDocuments.tail(heading)
        return DOCXDocument(blocks: blocks, record: OfficialDocuments.record(heading), title: title)
    }

    /// What the meeting decided, as the minutes show it: the valid round is the result; the chair's comments go to the
    /// ledger; the results are reported back.
    static func decisions(_ m: MinutesDTO, issuer: String) -> [String] {
        var lines: [String] = []
        if let valid = m.rounds.last(where: { $0.verdictLabel != nil && $0.valid != nil && $0.verdictLabel == "有效" }) {
            lines.append("以第\(valid.number)轮计票结果作为本次民主评议结果，由\(issuer)汇总形成评议结果通报，并向每名述职对象书面反馈。")
        } else {
            lines.append("民主评议计票后，由\(issuer)汇总形成评议结果通报，并向每名述职对象书面反馈。")
        }
        let commented = m.speakers.filter { !($0.comment ?? "").isEmpty }.count
        if commented > 0 {
            lines.append("主持人对\(commented)名同志的点评意见，由所在单位对照认领，列入整改台账，明确整改措施和完成时限，\(issuer)跟踪督办。")
        }
        lines.append("各述职对象结合评议意见，认真查摆问题，抓好整改落实。")
        return lines
    }
}
