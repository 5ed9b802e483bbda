import PingyiCore
import Vapor

/// 清点 of a counted round as the API answers it: every figure spelled out, with the round's verdict.
/// (`RoundReconciliation` is the stored form; this adds what follows from it so no client has to derive it.)
struct ReconciliationDTO: Content, Equatable {
    var issued: Int
    var returned: Int
    var valid: Int
    var void: Int
    var unreturned: Int
    /// Phone codes issued and phone ballots returned; absent in rounds counted before the split was recorded.
    var codes: IssuedReturned?
    /// Paper sheets issued and returned (keyed, unreadable and extra alike).
    var sheets: IssuedReturned?
    /// Paper per form kind (one form per sheet): issued and returned; absent in rounds counted before.
    var forms: [FormSheets]?
    /// The scrutineer's sample of scanned pages; absent when no page was scanned.
    var scanSample: ScanSampleDTO?
    /// `valid`, or `void` when more came back than were issued (overall or on either medium).
    var verdict: String
    var verdictLabel: String
    var summary: String

    init(_ r: RoundReconciliation) {
        issued = r.issued
        returned = r.returned
        valid = r.valid
        void = r.void
        unreturned = r.unreturned
        codes = r.codes
        sheets = r.sheets
        forms = r.forms
        scanSample = r.scanSample.map(ScanSampleDTO.init)
        verdict = r.isVoid ? "void" : "valid"
        verdictLabel = r.isVoid ? "本轮无效" : "有效"
        summary = r.summary
    }
}
