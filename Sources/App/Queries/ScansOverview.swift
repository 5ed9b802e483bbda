import Fluent
import PingyiCore
import Vapor

/// 扫描概况: a round's scanned pages as the tally page shows them — per form (issued, counted in the box, recognized,
/// pending, keyed by hand) and page by page (state, unsure cells, sample checks, who decided).
enum ScansOverview {
    /// The scan `rawID` names, if it is one of the round's; else 404.
    static func scan(_ rawID: String?, in round: BallotRound, on db: any Database) async throws -> PaperScan {
        guard let id = rawID.flatMap(UUID.init(uuidString:)), let scan = try await PaperScan.find(id, on: db),
              scan.roundID == round.id else { throw APIError.notFound("扫描页") }
        return scan
    }

    /// The round's scanned pages per form and one by one, the box counts, and the scrutineer's sample.
    static func of(campaign: Campaign, for actor: Actor, round: BallotRound, on db: any Database) async throws -> PaperScansDTO {
        let roundID = try round.requireID()
        let scans = try await PaperScan.listing(roundID: roundID, on: db).all()
        let numbered = try await PaperSheet.query(on: db).filter(\.$roundID == roundID).all()
        let checks = try await PaperScanCheck.query(on: db).filter(\.$scan.$id ~~ scans.compactMap(\.id)).all()
        let groups = round.sheetPlan
        let forms = PaperScanning.forms(round, campaign: campaign)
        let counts = round.boxCounts
        let inHand = PaperScanning.sheetsInHand(forms: forms, scans: scans, numbered: numbered)
        let formRows = zip(forms, inHand).map { form, have in
            PaperScanFormDTO(
                formIndex: form.formIndex, formID: form.form.id, formName: form.form.name, pages: form.pages.count,
                issued: round.issuedSheets * form.pages.count, boxCount: counts.flatMap { $0.indices.contains(form.formIndex) ? $0[form.formIndex] : nil },
                recognized: scans.filter { $0.formIndex == form.formIndex && $0.state.isReady }.count,
                pending: scans.filter { $0.formIndex == form.formIndex && !$0.state.isReady && $0.state != .discarded }.count,
                keyedByHand: have - scans.filter { $0.formIndex == form.formIndex && $0.state.isReady }.count)
        }
        let rows = scans.sorted { ($0.formIndex, $0.page, $0.sha256) < ($1.formIndex, $1.page, $1.sha256) }.map { scan in
            PaperScanSummaryDTO(
                id: scan.id!, ref: scan.ref, raterGroupID: scan.raterGroupID,
                raterGroup: groups.first { $0.raterGroupID == scan.raterGroupID }?.raterGroup ?? "",
                formIndex: scan.formIndex, formName: forms.first { $0.formIndex == scan.formIndex }?.form.name ?? "", page: scan.page,
                state: scan.state.rawValue, stateLabel: scan.state.label,
                unsure: scan.reading.utf8.filter { $0 == PaperMarkRules.unsure }.count,
                sampled: scan.sampled,
                sampleChecked: checks.contains { $0.$scan.id == scan.id && ($0.kind == .sample || $0.kind == .sampleCorrected) },
                decidedByMe: checks.contains { $0.$scan.id == scan.id && $0.kind == .decision && $0.personID == actor.id })
        }
        return PaperScansDTO(round: try await roundDTO(round, on: db), paperForms: groups, forms: formRows, scans: rows,
                             sample: try await PaperScanning.sampleOutcome(scans, on: db).map(ScanSampleDTO.init))
    }
}
