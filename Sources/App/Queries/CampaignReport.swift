import Fluent
import Foundation
import PingyiCore
import SQLKit
import Vapor

/// 计票结果 of a campaign: the latest counted round's ballots (phone and paper together) through PingyiCore.
struct CampaignResults: Sendable {
    /// The campaign's rules with rater-group weights for the shown (possibly pooled) groups.
    var rules: EvaluationRules
    /// Which rater groups are shown pooled, and whether the round is too small to show anything.
    var pooling: RaterGroupPooling
    var round: BallotRound
    var reconciliation: RoundReconciliation?
    var layout: BallotLayout
    var results: [ReporteeResult]
}

extension CampaignResults {
    /// Values in, results out: pooling small groups cell by cell, the rules' weights for the shown groups, the grades.
    init(_ campaign: Campaign, round: BallotRound, tally counted: Tally, groupOrder order: [String]) throws {
        let layout = round.layout
        // Per cell: a paper voter's one-form sheet reaches only that form's cells, so a group is judged cell by cell.
        let pooling = RaterGroupPooling(tally: counted, order: order, minimum: campaign.rules.effectiveMinimumGroupSize)
        let tally = pooling.apply(to: counted)
        var rules = campaign.rules
        rules.raterGroupWeights = pooling.weights(rules.raterGroupWeights)
        var seen = Set<String>()
        let reportees = layout.cells.map(\.reportee).filter { seen.insert($0).inserted }
        let spec = BallotSpec(reportees: reportees, forms: campaign.forms)
        self.init(rules: rules, pooling: pooling, round: round, reconciliation: try round.countedReconciliation(), layout: layout,
                  results: evaluate(tally, spec: spec, rules: rules))
    }
}

/// A rater group as the results show it (see `RaterGroupPooling`): one group, or several pooled under one key.
struct ShownRaterGroup: Sendable {
    var key: String
    var name: String
    var members: [UUID]
}

/// Everything the result pages and exports show: the count, the people, and the assessment.
struct CampaignReport: Sendable {
    var campaign: Campaign
    var computed: CampaignResults
    var reportees: [Reportee]
    /// The rater groups as results show them: pooled where a group is smaller than the minimum.
    var groups: [ShownRaterGroup]
    var entries: [String: AssessmentEntry]
    var outcomes: [String: AssessmentOutcome]

    func reportee(_ id: String) -> Reportee? { reportees.first { $0.id?.uuidString == id } }
    func result(_ id: String) -> ReporteeResult? { computed.results.first { $0.reportee == id } }
    /// Results in rank order; unranked (no valid votes) last, in campaign order.
    var ranked: [ReporteeResult] {
        computed.results.enumerated().sorted { a, b in
            (a.element.rank ?? .max, a.offset) < (b.element.rank ?? .max, b.offset)
        }.map(\.element)
    }
}

/// The report of the latest counted round; `nil` before any count.
/// The results come from the round's kept tally; the rater groups are read once, for the pooling order and the names.
func campaignReport(_ campaign: Campaign, on db: any Database) async throws -> CampaignReport? {
    let id = try campaign.requireID()
    guard let round = try await BallotRound.query(on: db).filter(\.$campaign.$id == id).filter(\.$state == .counted)
        .sort(\.$number, .descending).first() else { return nil }
    let raterGroups = try await RaterGroup.query(on: db).filter(\.$campaign.$id == id).sort(\.$position).all()
    let computed = try CampaignResults(campaign, round: round, tally: try await CountedTally.of(round, on: db),
                                       groupOrder: raterGroups.compactMap { $0.id?.uuidString })
    let reportees = try await Reportee.query(on: db).filter(\.$campaign.$id == id).sort(\.$position).all()
    let records = try await AssessmentRecord.query(on: db).filter(\.$campaignID == id).all()
    return CampaignReport(campaign, computed: computed, reportees: reportees, raterGroups: raterGroups, assessments: records)
}

extension CampaignReport {
    /// Values in, report out: the shown groups' names and each secretary's 综合评定.
    init(_ campaign: Campaign, computed: CampaignResults, reportees: [Reportee], raterGroups: [RaterGroup],
         assessments records: [AssessmentRecord]) {
        let names = Dictionary(raterGroups.compactMap { g in g.id.map { ($0.uuidString, g.name) } }, uniquingKeysWith: { a, _ in a })
        let groups = computed.pooling.shown.map { shown in
            ShownRaterGroup(key: shown.key, name: shown.members.map { names[$0] ?? "?" }.joined(separator: "、")
                            + (shown.isPooled ? "（合并）" : ""), members: shown.members.compactMap(UUID.init(uuidString:)))
        }
        let (entries, outcomes) = Self.assess(computed.results, of: campaign, reportees: reportees, records: records)
        self.init(campaign: campaign, computed: computed, reportees: reportees, groups: groups, entries: entries, outcomes: outcomes)
    }

    /// Each secretary's 综合评定 from their results and entered assessments (only `mode` of `reportees` is read).
    static func assess(_ results: [ReporteeResult], of campaign: Campaign, reportees: [Reportee], records: [AssessmentRecord])
        -> (entries: [String: AssessmentEntry], outcomes: [String: AssessmentOutcome]) {
        assess(results, of: campaign, writtenReports: Set(reportees.filter { $0.mode == .written }.compactMap { $0.id?.uuidString }),
               records: records)
    }

    /// The same, given only which secretaries reported in writing (书面述职).
    static func assess(_ results: [ReporteeResult], of campaign: Campaign, writtenReports: Set<String>, records: [AssessmentRecord])
        -> (entries: [String: AssessmentEntry], outcomes: [String: AssessmentOutcome]) {
        assess(results, rules: campaign.assessmentRules, grading: campaign.rules.grading, writtenReports: writtenReports, records: records)
    }

    /// The same, given the campaign's rules only (the overview reads them without loading the campaign).
    static func assess(_ results: [ReporteeResult], rules: AssessmentRules, grading: GradingRules, writtenReports: Set<String>,
                       records: [AssessmentRecord]) -> (entries: [String: AssessmentEntry], outcomes: [String: AssessmentOutcome]) {
        let entries = Dictionary(records.map { ($0.$reportee.id.uuidString, $0.entry) }, uniquingKeysWith: { a, _ in a })
        return (entries, assessAll(results, entries: entries, rules: rules, grading: grading, writtenReports: writtenReports))
    }
}

extension CampaignReport {
    func dto(_ result: ReporteeResult) -> ReporteeResultDTO {
        let person = reportee(result.reportee)
        let rules = computed.rules
        return ReporteeResultDTO(
            reporteeID: result.reportee, name: person?.name ?? "", unitName: person?.unitName ?? "", title: person?.title ?? "",
            composite: result.composite, goodRate: result.goodRate, poorRate: result.poorRate,
            weightedGoodRate: result.weightedGoodRate, rank: result.rank,
            grade: result.grade?.rawValue, gradeLabel: result.grade?.label, flags: result.flags.map { FlagDTO($0) },
            forms: result.forms.map { form in
                FormResultDTO(formID: form.form.id, name: form.form.name, score: form.score, goodRate: form.goodRate,
                              weightedGoodRate: form.weightedGoodRate, columns: form.columns.map { column in
                    ColumnResultDTO(
                        columnID: column.column.id, name: column.column.name, kind: column.column.kind.rawValue,
                        counts: CountsDTO(column.counts), goodRate: column.counts.goodRate, poorRate: column.counts.poorRate,
                        meanPoints: column.meanPoints, weightedPoints: column.weightedPoints, weightedGoodRate: column.weightedGoodRate,
                        // Every group of the campaign, in its order, also those that cast no ballot.
                        byGroup: groups.map { group in
                            let counts = column.byGroup[group.key] ?? .zero
                            return GroupResultDTO(raterGroupID: group.key, raterGroup: group.name, counts: CountsDTO(counts),
                                                  meanPoints: counts.meanPoints(rules.points), goodRate: counts.goodRate)
                        })
                })
            },
            assessment: outcomes[result.reportee].map { AssessmentDTO($0, entry: entries[result.reportee] ?? .empty) })
    }

    var dto: ResultsDTO {
        ResultsDTO(campaignID: campaign.id!, campaignTitle: campaign.title, year: campaign.year, status: campaign.status.rawValue,
                   roundNumber: computed.round.number, reconciliation: computed.reconciliation.map(ReconciliationDTO.init),
                   withheld: computed.pooling.withheld, minimumGroupSize: computed.pooling.minimum,
                   assessmentWeights: campaign.assessmentRules.weights, reportees: ranked.map(dto))
    }
}


/// The report, or 409 before any count.
func requireReport(_ campaign: Campaign, on db: any Database) async throws -> CampaignReport {
    guard let report = try await campaignReport(campaign, on: db) else { throw APIError.conflict("尚未计票：请先封箱并计票") }
    return report
}

extension CampaignReport {
    /// The sheet of `reportee`: for the campaign's admins, or for the secretary themself once results are published.
    static func sheet(of reportee: Reportee, in campaign: Campaign, for actor: Actor,
                      on db: any Database) async throws -> (CampaignReport, ReporteeResult) {
        if !actor.manages(campaign) {
            guard actor.role == .reportee, reportee.$user.id == actor.id else { throw APIError.forbidden }
            guard campaign.status.resultsArePublished else { throw APIError(.forbidden, "forbidden", "评议结果尚未发布") }
        }
        let report = try await requireReport(campaign, on: db)
        guard let result = report.result(try reportee.requireID().uuidString) else { throw APIError.notFound("述职对象的结果") }
        return (report, result)
    }

    /// 三级总览: every campaign in the admin's scope with its summary, so a district sees its towns side by side.
    /// A fixed number of queries however many campaigns: each counted campaign's figures come from its kept tally.
    static func overview(for actor: Actor, on db: any Database) async throws -> [CampaignOverviewDTO] {
        // One row per campaign in plain SQL, not Fluent models: decoding a thousand models was most of the overview's
        // time (issue 25). Only the columns the overview shows or grades with, and the unit's name joined in.
        struct CampaignRow: Decodable {
            var id: UUID, title: String, year: Int, level: CampaignLevel, status: CampaignStatus
            var rules: String, assessment_rules: String?, unit_name: String
        }
        let sql = db as! any SQLDatabase
        var query = sql.select()
            .column(SQLColumn("id", table: Campaign.schema)).column(SQLColumn("title", table: Campaign.schema))
            .column(SQLColumn("year", table: Campaign.schema)).column(SQLColumn("level", table: Campaign.schema))
            .column(SQLColumn("status", table: Campaign.schema))
            .column(SQLAlias(SQLTextCast(SQLColumn("rules", table: Campaign.schema)), as: SQLIdentifier("rules")))
            .column(SQLAlias(SQLTextCast(SQLColumn("assessment_rules", table: Campaign.schema)), as: SQLIdentifier("assessment_rules")))
            .column(SQLAlias(SQLColumn("name", table: OrgUnit.schema), as: SQLIdentifier("unit_name")))
            .from(Campaign.schema)
            .join(OrgUnit.schema, on: SQLColumn("org_unit_id", table: Campaign.schema), .equal, SQLColumn("id", table: OrgUnit.schema))
        switch try await CampaignVisibility.of(actor, on: db) {
        case .all: break
        case .campaigns(let ids):
            guard !ids.isEmpty else { return [] }
            query = query.where(SQLColumn("id", table: Campaign.schema), .in, SQLBind.group(ids))
        case .units(let units):
            guard !units.isEmpty else { return [] }
            query = query.where(SQLColumn("org_unit_id", table: Campaign.schema), .in, SQLBind.group(units))
        }
        let campaigns = try await query.orderBy(SQLColumn("year", table: Campaign.schema), SQLDirection.descending)
            .orderBy(SQLColumn("title", table: Campaign.schema)).orderBy(SQLColumn("id", table: Campaign.schema))
            .all(decoding: CampaignRow.self)
        let ids = campaigns.map(\.id)
        guard !ids.isEmpty else { return [] }
        // How many secretaries each campaign has, and who reported in writing (综合评定): counts by mode, then the
        // names of written reports only where a campaign has any.
        struct ModeCount: Decodable { var campaign_id: UUID; var mode: ReportMode; var n: Int }
        let modes = try await sql.select().column("campaign_id").column("mode")
            .column(SQLAlias(SQLFunction("count", args: SQLLiteral.all), as: SQLIdentifier("n")))
            .from(Reportee.schema).where("campaign_id", .in, ids).groupBy("campaign_id").groupBy("mode")
            .all(decoding: ModeCount.self)
        let reporteeCounts = Dictionary(modes.map { ($0.campaign_id, $0.n) }, uniquingKeysWith: +)
        let withWritten = Set(modes.filter { $0.mode == .written }.map(\.campaign_id))
        struct WrittenReport: Decodable { var campaign_id: UUID; var id: UUID }
        let written = withWritten.isEmpty ? [:] : Dictionary(grouping: try await sql.select().column("campaign_id").column("id")
            .from(Reportee.schema).where("campaign_id", .in, Array(withWritten)).where("mode", .equal, ReportMode.written.rawValue)
            .all(decoding: WrittenReport.self), by: \.campaign_id).mapValues { Set($0.map(\.id.uuidString)) }
        // The latest counted round of each campaign: its number and kept standings only (not its layout or tally).
        struct CountedRound: Decodable { var id: UUID; var campaign_id: UUID; var number: Int; var standings: String? }
        let rounds = try await sql.select()
            .column(SQLColumn("id", table: BallotRound.schema)).column("campaign_id").column("number").column("standings")
            .from(BallotRound.schema)
            .join(RoundStandings.schema, method: SQLJoinMethod.left, on: SQLColumn("round_id", table: RoundStandings.schema),
                  .equal, SQLColumn("id", table: BallotRound.schema))
            .where("campaign_id", .in, ids).where("state", .equal, BallotRoundState.counted.rawValue)
            .all(decoding: CountedRound.self)
        let latest = Dictionary(rounds.map { ($0.campaign_id, $0) }, uniquingKeysWith: { a, b in a.number > b.number ? a : b })
        let assessments = Dictionary(grouping: latest.isEmpty ? [] : try await AssessmentRecord.query(on: db)
            .filter(\.$campaignID ~~ Array(latest.keys)).all(), by: \.campaignID)
        var rows: [CampaignOverviewDTO] = []
        let decoder = JSONDecoder()
        for campaign in campaigns {
            var results: [ReporteeResult]?
            var outcomes: [String: AssessmentOutcome] = [:]
            if let round = latest[campaign.id] {
                // A round counted before standings were kept has none until the upgrade fills them: evaluated here.
                var counted = try CountedStandings.kept(round.standings, of: round.id, decoder: decoder)
                if counted == nil, let whole = try await Campaign.find(campaign.id, on: db) {
                    counted = try await campaignReport(whole, on: db)?.computed.results ?? []
                }
                results = counted
                // The rules as text, so a campaign's rules are decoded once per process and a changed text again.
                let rules = try DecodedTexts.campaignRules.value(of: campaign.id, text: campaign.rules + "\u{0}" + (campaign.assessment_rules ?? "")) { _ in
                    CampaignGrading(grading: try decoder.decode(EvaluationRules.self, from: Data(campaign.rules.utf8)).grading,
                                    assessment: try campaign.assessment_rules.map { try decoder.decode(AssessmentRules.self, from: Data($0.utf8)) } ?? .standard)
                }
                outcomes = Self.assess(counted ?? [], rules: rules.assessment, grading: rules.grading,
                                       writtenReports: written[campaign.id] ?? [], records: assessments[campaign.id] ?? []).outcomes
            }
            rows.append(CampaignOverviewDTO(campaignID: campaign.id, title: campaign.title, year: campaign.year, level: campaign.level,
                                            status: campaign.status, unitName: campaign.unit_name,
                                            reportees: reporteeCounts[campaign.id] ?? 0, results: results, outcomes: outcomes))
        }
        return rows
    }
}

extension CampaignPhase {
    /// A secretary may read their own sheet from publication on.
    var resultsArePublished: Bool { self == .published || self == .archived }
}
