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
