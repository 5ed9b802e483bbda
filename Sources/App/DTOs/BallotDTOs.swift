import Foundation
import PingyiCore
import Vapor

struct RoundOpenRequest: Content {
    /// Voting codes per rater group id; by default one per checked-in attendee of the group.
    var codes: [String: Int]?
    /// Paper sheet sets per rater group id; none by default.
    var paperSheets: [String: Int]?
}

struct ExtraCodesRequest: Content {
    var raterGroupID: UUID
    var count: Int
}

struct IssuedCodeDTO: Content {
    var raterGroup: String
    /// Grouped for reading: K7QM-3XPA-9RTB-W2HC.
    var code: String
    /// The voting page with the code in the fragment, which browsers never send to the server.
    var url: String
    var qrSVG: String
}

struct PaperSheetDTO: Content {
    var serial: Int
    var raterGroup: String
    var state: String
}

struct RoundDTO: Content {
    var id: UUID
    var number: Int
    var state: String
    var stateLabel: String
    var issuedCodes: Int
    var issuedSheets: Int
    var extraSheets: Int
    var receivedElectronic: Int
    var keyedSheets: Int
    var pendingSheets: Int
    var mismatchedSheets: Int
    var received: Int
    var issued: Int
    var reconciliation: RoundReconciliation?
    var openedAt: Date
    var sealedAt: Date?
    var countedAt: Date?
}

/// The answer to opening a round: the only time the codes exist in the clear.
struct RoundOpenedDTO: Content {
    var round: RoundDTO
    var codes: [IssuedCodeDTO]
    var sheets: [PaperSheetDTO]
}

struct VoteCheckRequest: Content {
    var code: String
}

struct VoteReporteeDTO: Content {
    var id: UUID
    var name: String
    var unitName: String
    var title: String
    var mode: String
}

struct VoteCheckDTO: Content {
    var campaignTitle: String
    var roundNumber: Int
    var raterGroup: String
    var reportees: [VoteReporteeDTO]
    var forms: [FormTemplate]
    var used: Bool
}

struct VoteRequest: Content {
    var code: String
    /// Made once by the phone for this ballot; sending the same ballot again with it is answered with the same receipt.
    var submissionID: String
    var marks: [RawMark]
}

struct VoteReceiptDTO: Content {
    var receipt: String
    var roundNumber: Int
    var alreadyRecorded: Bool
}

struct ReceiptListDTO: Content {
    var campaignTitle: String
    var roundNumber: Int
    var state: String
    var receipts: [String]
}

/// The ballot box on the projector: counts only, never a partial result.
struct LiveRoundDTO: Content {
    var number: Int
    var state: String
    var stateLabel: String
    var issued: Int
    var received: Int
}
