import Fluent
import Foundation

/// One returned sheet set, numbered by the tellers as they take it out of the box (the printed forms carry no number).
final class PaperSheet: Model, @unchecked Sendable {
    static let schema = "paper_sheets"

    enum State: String, Codable, Sendable {
        /// Numbered out of the box; not keyed yet.
        case issued
        /// One teller has keyed it.
        case keyedOnce = "keyed_once"
        /// Two tellers disagree; a scrutineer decides from the sheet.
        case mismatch
        /// Agreed or decided; its ballot is in the box.
        case confirmed
        /// 撤销编号: numbered by mistake (a second click) and withdrawn before it was keyed; its number is not reused.
        case withdrawn

        var label: String {
            switch self {
            case .issued: "已编号，未录入"
            case .keyedOnce: "已录入一次"
            case .mismatch: "两次录入不一致"
            case .confirmed: "已确认"
            case .withdrawn: "已撤销编号"
            }
        }
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "round_id") var roundID: UUID
    @Field(key: "serial") var serial: Int
    @Field(key: "rater_group_id") var raterGroupID: UUID
    @Field(key: "state") var state: State
    /// The form (layout order) and page of a one-form sheet keyed by hand; `nil` for a whole set (rounds before forms
    /// were printed one per sheet).
    @OptionalField(key: "form_index") var formIndex: Int?
    @OptionalField(key: "page") var page: Int?
    /// The browser's key for the click that numbered it: the same key again answers this sheet, not a new number.
    @OptionalField(key: "request_key") var requestKey: String?

    init() {}

    init(roundID: UUID, serial: Int, raterGroupID: UUID, formIndex: Int? = nil, page: Int? = nil, requestKey: String? = nil) {
        self.roundID = roundID
        self.serial = serial
        self.raterGroupID = raterGroupID
        self.state = .issued
        self.formIndex = formIndex
        self.page = page
        self.requestKey = requestKey
    }
}

/// One teller's keying of one sheet: the marks as read, or "unreadable".
final class PaperEntry: Model, @unchecked Sendable {
    static let schema = "paper_entries"

    @ID(key: .id) var id: UUID?
    @Parent(key: "sheet_id") var sheet: PaperSheet
    @Field(key: "teller_id") var tellerID: UUID
    @Field(key: "marks") var marks: String
    @Field(key: "unreadable") var unreadable: Bool

    init() {}

    init(sheetID: UUID, tellerID: UUID, marks: String, unreadable: Bool) {
        self.$sheet.id = sheetID
        self.tellerID = tellerID
        self.marks = marks
        self.unreadable = unreadable
    }
}

extension PaperSheet {
    /// A browser's key for one numbering click: 8–64 letters, digits or hyphens (a UUID fits).
    static func isRequestKey(_ key: String) -> Bool {
        (8...64).contains(key.utf8.count) && key.utf8.allSatisfy { $0 == UInt8(ascii: "-") || (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }
    }
}
