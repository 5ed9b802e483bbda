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
        let may = CampaignCapabilities.of(actor.role, in: campaign.status)
        let rows = scans.sorted { ($0.formIndex, $0.page, $0.sha256) < ($1.formIndex, $1.page, $1.sha256) }.map { scan in
            let decidedByMe = checks.contains { $0.$scan.id == scan.id && $0.kind == .decision && $0.personID == actor.id }
            return PaperScanSummaryDTO(
                id: scan.id!, ref: scan.ref, raterGroupID: scan.raterGroupID,
                raterGroup: groups.first { $0.raterGroupID == scan.raterGroupID }?.raterGroup ?? "",
                formIndex: scan.formIndex, formName: forms.first { $0.formIndex == scan.formIndex }?.form.name ?? "", page: scan.page,
                state: scan.state.rawValue, stateLabel: scan.state.label,
                unsure: scan.reading.utf8.filter { $0 == PaperMarkRules.unsure }.count,
                sampled: scan.sampled,
                sampleChecked: checks.contains { $0.$scan.id == scan.id && ($0.kind == .sample || $0.kind == .sampleCorrected) },
                decidedByMe: decidedByMe,
                actions: ScanActions.of(state: scan.state, decidedByMe: decidedByMe, roundState: round.state, may: may))
        }
        return PaperScansDTO(round: try await roundDTO(round, on: db), paperForms: groups, forms: formRows, scans: rows,
                             sample: try await PaperScanning.sampleOutcome(scans, on: db).map(ScanSampleDTO.init), may: may)
    }

    /// One scanned page as the check screen shows it: its reading, its rows' names, the columns' places on a row crop,
    /// and what this person may see of others' decisions.
    static func page(_ scan: PaperScan, campaign: Campaign, round: BallotRound, for actor: Actor, repeated: Bool,
                     on db: any Database) async throws -> PaperScanDTO {
        let form = PaperScanning.forms(round, campaign: campaign).first { $0.formIndex == scan.formIndex }
        let reportees = try await Reportee.query(on: db).filter(\.$campaign.$id == campaign.requireID()).all()
        let names = Dictionary(reportees.compactMap { r in r.id.map { ($0.uuidString, r.name) } }, uniquingKeysWith: { a, _ in a })
        let checks = try await PaperScanCheck.query(on: db).filter(\.$scan.$id == scan.requireID()).all()
        let geometry = form?.geometry(page: scan.page)
        // The columns' places on a row crop (`?row=`), as fractions of its width, for the check screen's highlight.
        let spans = geometry?.rowCropColumnSpans ?? []
        // Another teller's decision is not shown: each decides on their own. A scrutineer ruling sees both.
        let rulings = scan.state == .mismatch && actor.role == .scrutineer ? checks.filter { $0.kind == .decision }.map(\.marks) : []
        // A held second scan says which page it repeats, by that page's reference.
        var duplicateNote: String?
        if let earlierID = scan.duplicateOf,
           let earlier = try await PaperScan.listing(roundID: try round.requireID(), on: db).filter(\.$id == earlierID).first() {
            duplicateNote = "可能是页 \(earlier.ref)（\(form?.form.name ?? "")" + ((form?.pages.count ?? 1) > 1 ? "第 \(earlier.page + 1) 页" : "")
                + "，\(earlier.state.label)）的重复扫描：两页识别结果相同"
        }
        return PaperScanDTO(
            id: try scan.requireID(), raterGroupID: scan.raterGroupID,
            raterGroup: round.sheetPlan.first { $0.raterGroupID == scan.raterGroupID }?.raterGroup ?? "",
            formIndex: scan.formIndex, formName: form?.form.name ?? "", page: scan.page, state: scan.state.rawValue,
            stateLabel: scan.state.label, repeated: repeated, reading: scan.reading,
            rows: (form?.pages[scan.page] ?? []).map { names[$0] ?? "" },
            columns: (form?.form.columns ?? []).map(\.name), columnSpans: spans, sampled: scan.sampled,
            decisions: rulings, duplicateOf: scan.duplicateOf, ref: scan.ref, duplicateNote: duplicateNote)
    }

    /// A form's printable page (SVG) for one rater group: the page code, the reportees' names and the boxes.
    static func formPageSVG(_ form: PaperFormPages, page: Int, group: Int, geometry: PaperPageGeometry, campaign: Campaign,
                            round: BallotRound, on db: any Database) async throws -> String {
        let reportees = try await Reportee.query(on: db).filter(\.$campaign.$id == campaign.requireID()).all()
        let byID = Dictionary(reportees.compactMap { r in r.id.map { ($0.uuidString, r) } }, uniquingKeysWith: { a, _ in a })
        let rows = form.pages[page].map { PaperFormSVG.Row(name: byID[$0]?.name ?? "", unit: byID[$0]?.unitName ?? "") }
        let plan = round.sheetPlan[group]
        let code = try PaperScanning.code(campaign: campaign, round: round, group: group, form: form.formIndex, page: page)
        let pages = form.pages.count
        let subtitle = "\(campaign.title) · 第 \(round.number) 轮 · 评议人类别：\(plan.raterGroup)" + (pages > 1 ? " · 第 \(page + 1)/\(pages) 页" : "")
        return PaperFormSVG.page(geometry: geometry, code: code, form: form.form, rows: rows, title: "\(form.form.name)评议表",
                                 subtitle: subtitle, firstNumber: page * PaperPageGeometry.rowsPerPage + 1)
    }
}
