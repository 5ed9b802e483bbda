import Fluent
import Foundation

/// 扫描页: one scanned page of a one-form sheet, as the machine read it. Its image is kept (with its SHA-256) until
/// the campaign is archived, for the scrutineer's sample and any later question; its reading is erased at the count
/// like the tellers' keyed readings, once the ballot is in the box.
final class PaperScan: Model, @unchecked Sendable {
    static let schema = "paper_scans"

    enum State: String, Codable, Sendable, CaseIterable {
        /// Every box read with confidence.
        case read
        /// Some boxes need a person.
        case unsure
        /// One teller decided the unsure boxes; a second must decide them too.
        case decidedOnce = "decided_once"
        /// The two tellers differ; a scrutineer decides.
        case mismatch
        /// Decided by people.
        case confirmed
        /// Looks like a second scan of a sheet already in; a scrutineer keeps or drops it.
        case possibleDuplicate = "possible_duplicate"
        /// Dropped as a second scan.
        case discarded

        /// A teller may decide its unsure boxes (the first or the second decision).
        var awaitsTellerDecision: Bool { self == .unsure || self == .decidedOnce }
        /// The scrutineer rules on it: the tellers differ, or it may be a second scan.
        var awaitsRuling: Bool { self == .mismatch || self == .possibleDuplicate }

        var label: String {
            switch self {
            case .read: "已识别"
            case .unsure: "待人工确认"
            case .decidedOnce: "已确认一次"
            case .mismatch: "两人确认不一致"
            case .confirmed: "已人工确认"
            case .possibleDuplicate: "疑似重复扫描"
            case .discarded: "重复扫描，已剔除"
            }
        }

        /// Its ballot goes in the box at the count.
        var isReady: Bool { self == .read || self == .confirmed }
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "round_id") var roundID: UUID
    @Field(key: "sha256") var sha256: String
    @Field(key: "rater_group_id") var raterGroupID: UUID
    @Field(key: "form_index") var formIndex: Int
    @Field(key: "page") var page: Int
    @Field(key: "state") var state: State
    /// One symbol per (row, column) of the page: 0–4, X, or ? where people must decide.
    @Field(key: "reading") var reading: String
    /// Each box's ink score ×1000, comma-separated: for telling a second scan of one sheet from a like-marked one.
    @Field(key: "scores") var scores: String
    @Field(key: "width") var width: Int
    @Field(key: "height") var height: Int
    /// The normalized grayscale page, deflated; `nil` once erased.
    @OptionalField(key: "image") var image: Data?
    @OptionalField(key: "duplicate_of") var duplicateOf: UUID?
    @Field(key: "sampled") var sampled: Bool

    init() {}

    /// The page's short reference, "页 3FA9C2": the first six hex digits of its image's hash — content, not arrival.
    var ref: String { String(sha256.prefix(6)).uppercased() }

    /// A round's pages without their images (up to a megabyte each): what every listing, check and count reads.
    static func listing(roundID: UUID, on db: any Database) -> QueryBuilder<PaperScan> {
        PaperScan.query(on: db).filter(\.$roundID == roundID)
            .field(\.$id).field(\.$roundID).field(\.$sha256).field(\.$raterGroupID).field(\.$formIndex).field(\.$page)
            .field(\.$state).field(\.$reading).field(\.$scores).field(\.$width).field(\.$height).field(\.$duplicateOf)
            .field(\.$sampled)
    }
}

/// A person's check of a scan: a teller's decision of its unsure columns, a scrutineer's decision, or the
/// scrutineer's sample check against the paper.
final class PaperScanCheck: Model, @unchecked Sendable {
    static let schema = "paper_scan_checks"

    enum Kind: String, Codable, Sendable {
        case decision, ruling, sample
        case sampleCorrected = "sample_corrected"
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "scan_id") var scan: PaperScan
    @Field(key: "person_id") var personID: UUID
    @Field(key: "kind") var kind: Kind
    /// The page's symbols as this person reads them.
    @Field(key: "marks") var marks: String

    init() {}
}
