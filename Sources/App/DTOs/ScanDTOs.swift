import Foundation
import PingyiCore
import Vapor

/// Paper scanning: requests and answers of `BallotController+Scans`.
struct BoxCountsRequest: Content {
    /// Sheets of each form taken out of the box, in the round's form order.
    var counts: [Int]
}

struct ScanMarksRequest: Content {
    /// The page's symbols row by row, column by column: 0 blank, 1 好, 2 较好, 3 一般, 4 差, X several marks.
    var marks: String?
    /// For a possible second scan: keep it (true) or drop it (false).
    var keep: Bool?
    /// For a sample check: the rater group and the form printed on the sheet in words, as the scrutineer reads them.
    var raterGroupID: UUID?
    var formIndex: Int?
}

struct PaperScanFormDTO: Content {
    var formIndex: Int
    var formID: String
    var formName: String
    var pages: Int
    var issued: Int
    var boxCount: Int?
    var recognized: Int
    var pending: Int
    var keyedByHand: Int
}

struct PaperScanSummaryDTO: Content {
    var id: UUID
    /// The page's short reference (from its image's hash, not its arrival), as tellers and the scrutineer name it.
    var ref: String
    var raterGroupID: UUID
    var raterGroup: String
    var formIndex: Int
    var formName: String
    var page: Int
    var state: String
    var stateLabel: String
    var unsure: Int
    var sampled: Bool
    var sampleChecked: Bool
    var decidedByMe: Bool
    /// What this account may do with the page now: `decide`, `rule`, `discard`.
    var actions: [String]
}

struct ScanSampleDTO: Content, Equatable {
    var pages: Int
    var drawn: Int
    var checked: Int
    var corrected: Int
    var discarded: Int?
    var summary: String

    init(_ sample: ScanSample) {
        pages = sample.pages
        drawn = sample.drawn
        checked = sample.checked
        corrected = sample.corrected
        discarded = sample.discarded
        summary = sample.summary
    }
}

struct PaperScansDTO: Content {
    var round: RoundDTO
    /// Sets printed per rater group; a page's `group` in the form URL is the index here.
    var paperForms: [PaperFormsDTO]
    var forms: [PaperScanFormDTO]
    var scans: [PaperScanSummaryDTO]
    var sample: ScanSampleDTO?
    /// What this account may do in the campaign's count.
    var may: CampaignCapabilities
}

struct PaperScanDTO: Content {
    var id: UUID
    var raterGroupID: UUID
    var raterGroup: String
    var formIndex: Int
    var formName: String
    var page: Int
    var state: String
    var stateLabel: String
    var repeated: Bool
    var reading: String
    var rows: [String]
    var columns: [String]
    var columnSpans: [[Double]]
    var sampled: Bool
    var decisions: [String]
    var duplicateOf: UUID?
    /// The page's short reference (from its image's hash, not its arrival).
    var ref: String
    /// For a held second scan: which page it may repeat, in words.
    var duplicateNote: String?
}
