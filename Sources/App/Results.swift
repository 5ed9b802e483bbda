import Fluent
import Foundation
import PingyiCore
import SQLKit
import Vapor

/// 计票结果 of a campaign: the latest counted round's ballots (phone and paper together) through PingyiCore.
struct CampaignResults: Sendable {
    var rules: EvaluationRules
    var round: BallotRound
    var reconciliation: RoundReconciliation?
    var layout: BallotLayout
    var results: [ReporteeResult]
}

/// Counts the latest counted round straight from the stored mark strings. `nil` while no round has been counted.
func computeResults(_ campaign: Campaign, on db: any Database) async throws -> CampaignResults? {
    let campaignID = try campaign.requireID()
    guard let round = try await BallotRound.query(on: db).filter(\.$campaign.$id == campaignID).filter(\.$state == .counted)
        .sort(\.$number, .descending).first() else { return nil }
    struct Row: Decodable {
        var rater_group_id: UUID
        var is_void: Bool
        var marks: String
    }
    let sql = db as! any SQLDatabase
    let rows = try await sql.raw("""
        SELECT "rater_group_id", "is_void", "marks" FROM "ballots" WHERE "round_id" = \(bind: try round.requireID()) ORDER BY "marks"
        """).all(decoding: Row.self)
    let layout = round.layout
    let tally = try Tally(stored: rows.map { StoredBallot(raterGroup: $0.rater_group_id.uuidString, isVoid: $0.is_void, marks: $0.marks) },
                          layout: layout)
    var seen = Set<String>()
    let reportees = layout.cells.map(\.reportee).filter { seen.insert($0).inserted }
    let spec = BallotSpec(reportees: reportees, forms: campaign.forms)
    let reconciliation = round.reconciliation.flatMap { try? JSONDecoder().decode(RoundReconciliation.self, from: Data($0.utf8)) }
    return CampaignResults(rules: campaign.rules, round: round, reconciliation: reconciliation, layout: layout,
                           results: evaluate(tally, spec: spec, rules: campaign.rules))
}

struct CountsDTO: Content {
    var good: Int, fairlyGood: Int, average: Int, poor: Int, abstentions: Int, voids: Int, valid: Int

    init(_ c: GradeCounts) {
        good = c.good; fairlyGood = c.fairlyGood; average = c.average; poor = c.poor
        abstentions = c.abstentions; voids = c.voids; valid = c.valid
    }
}

struct GroupResultDTO: Content {
    var raterGroup: String
    var counts: CountsDTO
    var meanPoints: Double?
    var goodRate: Double?
}

struct ColumnResultDTO: Content {
    var columnID: String
    var name: String
    var kind: String
    var counts: CountsDTO
    var goodRate: Double?
    var poorRate: Double?
    var meanPoints: Double?
    var weightedPoints: Double?
    var byGroup: [GroupResultDTO]
}

struct FormResultDTO: Content {
    var formID: String
    var name: String
    var score: Double?
    var goodRate: Double?
    var columns: [ColumnResultDTO]
}

struct ReporteeResultDTO: Content {
    var reporteeID: String
    var name: String
    var unitName: String
    var composite: Double?
    var goodRate: Double?
    var poorRate: Double?
    var rank: Int?
    var grade: String?
    var gradeLabel: String?
    var flags: [String]
    var forms: [FormResultDTO]
}

struct ResultsDTO: Content {
    var roundNumber: Int
    var reconciliation: RoundReconciliation?
    var reportees: [ReporteeResultDTO]
}

extension ResultsController {
    static func dto(_ computed: CampaignResults, reportees: [Reportee], groups: [RaterGroup]) -> ResultsDTO {
        let people = Dictionary(reportees.map { ($0.id!.uuidString, $0) }, uniquingKeysWith: { a, _ in a })
        let groupNames = Dictionary(groups.map { ($0.id!.uuidString, ($0.name, $0.position)) }, uniquingKeysWith: { a, _ in a })
        return ResultsDTO(roundNumber: computed.round.number, reconciliation: computed.reconciliation, reportees: computed.results.map { result in
            ReporteeResultDTO(
                reporteeID: result.reportee, name: people[result.reportee]?.name ?? "", unitName: people[result.reportee]?.unitName ?? "",
                composite: result.composite, goodRate: result.goodRate, poorRate: result.poorRate, rank: result.rank,
                grade: result.grade?.rawValue, gradeLabel: result.grade?.label, flags: result.flags.map(\.message),
                forms: result.forms.map { form in
                    FormResultDTO(formID: form.form.id, name: form.form.name, score: form.score, goodRate: form.goodRate,
                                  columns: form.columns.map { column in
                        ColumnResultDTO(
                            columnID: column.column.id, name: column.column.name, kind: column.column.kind.rawValue,
                            counts: CountsDTO(column.counts), goodRate: column.counts.goodRate, poorRate: column.counts.poorRate,
                            meanPoints: column.meanPoints, weightedPoints: column.weightedPoints,
                            byGroup: column.byGroup.sorted { (groupNames[$0.key]?.1 ?? 0) < (groupNames[$1.key]?.1 ?? 0) }.map { key, counts in
                                GroupResultDTO(raterGroup: groupNames[key]?.0 ?? key, counts: CountsDTO(counts),
                                               meanPoints: counts.meanPoints(computed.rules.points), goodRate: counts.goodRate)
                            })
                    })
                })
        })
    }
}

/// 计票结果: admins of the campaign see the full count once a round has been counted; nobody sees partial results
/// while a round is open.
struct ResultsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.apiV1().get("campaigns", ":campaignID", "results", use: results)
    }

    @Sendable
    func results(req: Request) async throws -> ResultsDTO {
        let actor = try await req.actor()
        let campaign = try await findCampaign(req.parameters.get("campaignID"), for: actor, .manage, on: req.db)
        guard let computed = try await computeResults(campaign, on: req.db) else {
            throw APIError.conflict("尚未计票：请先封箱并计票")
        }
        let id = try campaign.requireID()
        let reportees = try await Reportee.query(on: req.db).filter(\.$campaign.$id == id).all()
        let groups = try await RaterGroup.query(on: req.db).filter(\.$campaign.$id == id).all()
        return Self.dto(computed, reportees: reportees, groups: groups)
    }
}
