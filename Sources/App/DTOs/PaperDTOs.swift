import Foundation
import Vapor

/// Paper keying: requests and answers of `BallotController+Paper`.
struct PaperEntryRequest: Content {
    /// One symbol per cell in the round's layout; ignored when `unreadable`.
    var marks: String
    var unreadable: Bool?
}

struct NumberSheetRequest: Content {
    var raterGroupID: UUID
    /// The form (layout order) of a one-form sheet keyed by hand (one its scan could not read); absent: a whole set.
    var formIndex: Int?
    var page: Int?
    /// The browser's key for this click (a UUID): sent again by a double click or a retry, it answers the same sheet.
    var requestKey: String?
}

struct ExtraSheetsRequest: Content {
    var count: Int
}

struct PaperSheetStatusDTO: Content {
    var serial: Int
    var raterGroupID: UUID
    var raterGroup: String
    /// A one-form sheet's form (round layout order) and page; absent for a whole set.
    var formIndex: Int?
    var page: Int?
    var state: String
    var stateLabel: String
    var entries: Int
    var keyedByMe: Bool
}

/// One position of a mark string: which secretary, form and column it is.
struct LayoutCellDTO: Content {
    /// 0-based index into a mark string.
    var position: Int
    var reporteeID: String
    var formID: String
    var columnID: String
    var label: String
}

struct PaperOverviewDTO: Content {
    var round: RoundDTO
    /// What each position of a mark string stands for.
    var layout: [LayoutCellDTO]
    /// The identical forms printed for each rater group.
    var paperForms: [PaperFormsDTO]
    var sheets: [PaperSheetStatusDTO]
}

struct PaperDifferenceDTO: Content {
    var cell: Int
    var label: String
    var first: String
    var second: String
}

struct PaperSheetDetailDTO: Content {
    var serial: Int
    var state: String
    var stateLabel: String
    var entries: Int
    var differences: [PaperDifferenceDTO]
    /// Both tellers' mark strings, while they disagree.
    var readings: [String]
}
