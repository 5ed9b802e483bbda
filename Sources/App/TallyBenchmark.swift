import Fluent
import Foundation
import PingyiCore
import SQLKit

/// What `bench/run tally` prints: the full count against SQLite's own GROUP BY over the same marks.
public struct TallyFigures: Sendable {
    public var ballots: Int
    public var marks: Int
    /// The full count of all results (`campaignReport`): read, tally, score, rank, grade, assess.
    public var seconds: Double
    /// `SELECT … GROUP BY reportee, form, column, grade` over a flat table of the same marks.
    public var groupBySeconds: Double
    /// Time to fill the database with the ballots, and to explode them into the flat table (not compared).
    public var fillSeconds: Double
    public var flatLoadSeconds: Double
    /// Cells × grades where the two counts disagree; anything but 0 is a bug.
    public var mismatches: Int

    public var line: String {
        String(format: "tally: ballots=%d marks=%d seconds=%.3f groupby_seconds=%.3f ratio=%.3f", ballots, marks, seconds, groupBySeconds,
               seconds / groupBySeconds)
    }
}

/// Fills the (fresh, SQLite) database with the demo campaign and `ballots` random complete ballots in a counted round,
/// times the full count, then times a plain GROUP BY over the same marks and checks that both agree cell by cell.
public func runTallyBenchmark(on db: any Database, ballots: Int, seed: UInt64) async throws -> TallyFigures {
    guard let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite" else { throw BenchmarkError("the tally benchmark runs on SQLite") }
    let clock = ContinuousClock()
    func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
    let campaign = try await DemoCampaign.load(on: db)
    let campaignID = try campaign.requireID()
    let reportees = try await Reportee.query(on: db).filter(\.$campaign.$id == campaignID).sort(\.$position).all()
    let groups = try await RaterGroup.query(on: db).filter(\.$campaign.$id == campaignID).sort(\.$position).all()
    let layout = BallotLayout(spec: BallotSpec(reportees: reportees.map { $0.id!.uuidString }, forms: campaign.forms))
    let round = BallotRound(campaignID: campaignID, number: 1, layout: layout, openedAt: Date())
    round.state = .counted
    round.issuedCodes = ballots
    round.reconciliation = try jsonText(RoundReconciliation(issued: ballots, valid: ballots, void: 0))
    try await round.save(on: db)
    let roundID = try round.requireID()

    // Fill: complete ballots, marks drawn with a realistic skew towards 好.
    var rng = SplitMix64(seed: seed)
    let symbols = Array("01111122223334".utf8)
    let fillStart = clock.now
    var written = 0
    let batch = 500
    while written < ballots {
        let n = min(batch, ballots - written)
        var rows: [[any SQLExpression]] = []
        rows.reserveCapacity(n)
        for _ in 0..<n {
            var bytes = [UInt8](repeating: 0, count: layout.cells.count)
            for i in bytes.indices { bytes[i] = symbols[Int(rng.next() % UInt64(symbols.count))] }
            let group = groups[Int(rng.next() % UInt64(groups.count))]
            rows.append([SQLBind(UUID()), SQLBind(roundID), SQLBind(group.id!), SQLBind("electronic"), SQLBind(false),
                         SQLBind(String(decoding: bytes, as: UTF8.self))])
        }
        let batchRows = rows
        try await db.writeTransaction { db in
            try await (db as! any SQLDatabase).insert(into: Ballot.schema)
                .columns("id", "round_id", "rater_group_id", "medium", "is_void", "marks").rows(batchRows).run()
        }
        written += n
    }
    let fillSeconds = seconds(clock.now - fillStart)

    // The full count, as the results page and the exports run it.
    let countStart = clock.now
    guard let report = try await campaignReport(campaign, on: db) else { throw BenchmarkError("no counted round") }
    let countSeconds = seconds(clock.now - countStart)

    // The same marks as one row per cell, and SQLite's own count over them.
    let forms = campaign.forms
    try await sql.raw("CREATE TABLE bench_cells (idx INTEGER PRIMARY KEY, reportee INTEGER, form INTEGER, col INTEGER)").run()
    let reporteeIndex = Dictionary(uniqueKeysWithValues: reportees.enumerated().map { ($0.element.id!.uuidString, $0.offset) })
    let formIndex = Dictionary(uniqueKeysWithValues: forms.enumerated().map { ($0.element.id, $0.offset) })
    var cellRows: [[any SQLExpression]] = []
    for (index, cell) in layout.cells.enumerated() {
        let columnIndex = forms[formIndex[cell.form]!].columns.firstIndex { $0.id == cell.column }!
        cellRows.append([SQLBind(index + 1), SQLBind(reporteeIndex[cell.reportee]!), SQLBind(formIndex[cell.form]!), SQLBind(columnIndex)])
    }
    try await sql.insert(into: "bench_cells").columns("idx", "reportee", "form", "col").rows(cellRows).run()
    try await sql.raw("CREATE TABLE bench_marks (reportee INTEGER, form INTEGER, col INTEGER, grade TEXT)").run()
    let flatStart = clock.now
    try await sql.raw("""
        INSERT INTO bench_marks SELECT c.reportee, c.form, c.col, substr(b.marks, c.idx, 1)
        FROM ballots b CROSS JOIN bench_cells c WHERE b.round_id = \(bind: roundID)
        """).run()
    let flatSeconds = seconds(clock.now - flatStart)
    struct Group: Decodable {
        var reportee: Int, form: Int, col: Int, grade: String, n: Int
    }
    let groupStart = clock.now
    let grouped = try await sql.raw("""
        SELECT reportee, form, col, grade, COUNT(*) AS n FROM bench_marks GROUP BY reportee, form, col, grade
        """).all(decoding: Group.self)
    let groupSeconds = seconds(clock.now - groupStart)

    // Both counts must agree on every cell and grade.
    var mismatches = 0
    var seen = Set<String>()
    for row in grouped {
        let cell = CellKey(reportee: reportees[row.reportee].id!.uuidString, form: forms[row.form].id, column: forms[row.form].columns[row.col].id)
        let pooled = report.computed.results.first { $0.reportee == cell.reportee }?.forms.first { $0.form.id == cell.form }?
            .columns.first { $0.column.id == cell.column }?.counts ?? .zero
        let expected: Int
        switch row.grade {
        case "0": expected = pooled.abstentions
        case "X": expected = pooled.voids
        default: expected = Int(row.grade).map { pooled[Grade.allCases[$0 - 1]] } ?? -1
        }
        if expected != row.n { mismatches += 1 }
        seen.insert("\(row.reportee)/\(row.form)/\(row.col)/\(row.grade)")
    }
    // A grade the GROUP BY never saw must have a zero count in ours.
    for result in report.computed.results {
        for form in result.forms {
            for column in form.columns {
                let key = "\(reporteeIndex[result.reportee]!)/\(formIndex[form.form.id]!)/\(form.form.columns.firstIndex { $0.id == column.column.id }!)"
                let counts = column.counts
                let pairs: [(String, Int)] = [("0", counts.abstentions), ("1", counts.good), ("2", counts.fairlyGood), ("3", counts.average),
                                              ("4", counts.poor), ("X", counts.voids)]
                for (symbol, n) in pairs where n > 0 && !seen.contains("\(key)/\(symbol)") { mismatches += 1 }
            }
        }
    }
    return TallyFigures(ballots: ballots, marks: ballots * layout.cells.count, seconds: countSeconds, groupBySeconds: groupSeconds,
                        fillSeconds: fillSeconds, flatLoadSeconds: flatSeconds, mismatches: mismatches)
}

public struct BenchmarkError: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
    init(_ description: String) { self.description = description }
}
