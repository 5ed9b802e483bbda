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

/// Paper forms printed for one rater group: identical sheets, no number on any of them.
struct PaperFormsDTO: Content, Hashable {
    var raterGroupID: UUID
    var raterGroup: String
    var count: Int
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
    var reconciliation: ReconciliationDTO?
    var openedAt: Date
    var sealedAt: Date?
    var countedAt: Date?
}

/// The answer to opening a round: the only time the codes exist in the clear.
struct RoundOpenedDTO: Content {
    var round: RoundDTO
    var codes: [IssuedCodeDTO]
    /// How many identical paper forms to print for each rater group.
    var paperForms: [PaperFormsDTO]
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

/// A phone's ballot, as a list of marks or (what the voting page sends) the compact form: for each reportee id and
/// form id, one symbol per column in the form's order, `1` 好 … `4` 差, `0` no choice. Exactly one of the two.
struct VoteRequest: Content {
    var code: String
    /// Made once by the phone for this ballot; sending the same ballot again with it is answered with the same receipt.
    var submissionID: String
    var marks: [RawMark]?
    var ballot: [String: [String: String]]?

    init(code: String, submissionID: String, marks: [RawMark]? = nil, ballot: [String: [String: String]]? = nil) {
        self.code = code
        self.submissionID = submissionID
        self.marks = marks
        self.ballot = ballot
    }

    /// A ballot with a field Pingyi does not know is refused, not silently trimmed: the voter meant something by it.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try refuseUnknown(container, known: ["code", "submissionID", "marks", "ballot"])
        code = try container.decode(String.self, forKey: AnyKey("code"))
        submissionID = try container.decode(String.self, forKey: AnyKey("submissionID"))
        marks = try container.decodeIfPresent([StrictMark].self, forKey: AnyKey("marks"))?.map(\.mark)
        ballot = try container.decodeIfPresent([String: [String: String]].self, forKey: AnyKey("ballot"))
        guard (marks == nil) != (ballot == nil) else { throw APIError.badRequest("选票须包含 marks 或 ballot 其中之一") }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyKey.self)
        try container.encode(code, forKey: AnyKey("code"))
        try container.encode(submissionID, forKey: AnyKey("submissionID"))
        try container.encodeIfPresent(marks, forKey: AnyKey("marks"))
        try container.encodeIfPresent(ballot, forKey: AnyKey("ballot"))
    }
}

/// A mark that refuses unknown fields.
struct StrictMark: Decodable {
    var mark: RawMark

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try refuseUnknown(container, known: ["reportee", "form", "column", "grade"])
        mark = RawMark(reportee: try container.decode(String.self, forKey: AnyKey("reportee")),
                       form: try container.decode(String.self, forKey: AnyKey("form")),
                       column: try container.decode(String.self, forKey: AnyKey("column")),
                       grade: try container.decode(String.self, forKey: AnyKey("grade")))
    }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

func refuseUnknown(_ container: KeyedDecodingContainer<AnyKey>, known: Set<String>) throws {
    let unknown = container.allKeys.map(\.stringValue).filter { !known.contains($0) }.sorted()
    guard unknown.isEmpty else {
        throw APIError.badRequest("请求中有无法识别的字段：\(unknown.prefix(5).map { String($0.prefix(30)) }.joined(separator: "、"))")
    }
}

struct VoteReceiptDTO: Content {
    var receipt: String
    var roundNumber: Int
    var alreadyRecorded: Bool
    /// The public page where the receipt can be found once the box is sealed.
    var receiptsPath: String
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
    /// 收回: phone ballots until the count, then the reconciliation's returned (`returnedCount`).
    var received: Int
    /// While voting only phone ballots can come back: codes issued and phone ballots received, the progress bar.
    var issuedCodes: Int
    var receivedPhone: Int
    /// Paper sets handed out (发放), counted only after the seal.
    var issuedSheets: Int
    /// Issued and received per rater group, in campaign order: how far each group has voted, never how.
    var groups: [LiveGroupProgressDTO]
}

struct LiveGroupProgressDTO: Content {
    var name: String
    /// Codes issued to the group.
    var issued: Int
    /// Phone ballots received from the group.
    var received: Int
    /// Paper sets handed out to the group.
    var paperIssued: Int
}
