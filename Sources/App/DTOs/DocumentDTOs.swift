import Foundation
import Vapor

/// The 版头 fields a request may set; the rest take the campaign's defaults (`OfficialPapers.heading`).
struct DocumentHeadingQuery: Content, Sendable {
    /// Blank fields count as not given; text over 200 characters, or with control characters, is refused (422).
    func cleaned() throws -> DocumentHeadingQuery {
        func given(_ text: String?, _ label: String) throws -> String? {
            let trimmed = try optionalText(text, label, max: 200)
            return trimmed.isEmpty ? nil : trimmed
        }
        return DocumentHeadingQuery(issuer: try given(issuer, "发文机关"), number: try given(number, "发文字号"),
                                    recipients: try given(recipients, "主送机关"), copyTo: try given(copyTo, "抄送机关"),
                                    date: try given(date, "成文日期"))
    }

    /// Nothing given: nothing to remember.
    var isEmpty: Bool { issuer == nil && number == nil && recipients == nil && copyTo == nil && date == nil }

    var issuer: String?
    var number: String?
    var recipients: String?
    var copyTo: String?
    /// yyyy-MM-dd; default today (Asia/Shanghai).
    var date: String?
}

/// What a 会议通知 adds to the heading (issue 24): time, place, what to bring, contact; blank fields take defaults
/// (`OfficialPapers.noticeDetails`). Not remembered: each notice is for one meeting.
struct MeetingNoticeQuery: Content, Sendable {
    var time: String?
    var place: String?
    var bring: String?
    var contact: String?

    func cleaned() throws -> MeetingNoticeQuery {
        func given(_ text: String?, _ label: String) throws -> String? {
            let trimmed = try optionalText(text, label, max: 200)
            return trimmed.isEmpty ? nil : trimmed
        }
        return MeetingNoticeQuery(time: try given(time, "会议时间"), place: try given(place, "会议地点"),
                                  bring: try given(bring, "携带材料"), contact: try given(contact, "联系方式"))
    }
}

/// The one 责任单位 a 整改通知书 is for (as entered on its items); none: one section per unit.
struct LedgerDocumentQuery: Content, Sendable {
    var unit: String?
}
