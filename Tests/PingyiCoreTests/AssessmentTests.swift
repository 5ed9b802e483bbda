import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import PingyiCore

@Suite("Assessment (考核)")
struct AssessmentTests {
    /// A result with a given composite and, optionally, a low-rating flag.
    func evaluated(_ reportee: String, composite: Double?, flagged: Bool = false) -> ReporteeResult {
        ReporteeResult(reportee: reportee, forms: [], composite: composite, goodRate: nil, poorRate: nil, rank: nil, grade: nil,
                       flags: flagged ? [.lowRating(formID: "party_building", formName: "党建工作")] : [])
    }

    let full = AssessmentEntry(scores: [.daily: 90, .target: 80, .onsite: 70])

    @Test func thePartsCombineByTheirWeights() {
        // 0.4×85 + 0.3×90 + 0.2×80 + 0.1×70 = 34 + 27 + 16 + 7 = 84
        let outcome = assess(evaluated("r", composite: 85), entry: full, rules: .standard, grading: .standard)
        #expect(approx(outcome.score, 84) && outcome.grade == .fairlyGood && outcome.missing.isEmpty && outcome.notes.isEmpty)
        #expect(outcome.parts.map(\.component) == [.evaluation, .daily, .target, .onsite])
    }

    @Test func aMissingPartLeavesTheAssessmentOpen() {
        let partial = AssessmentEntry(scores: [.daily: 90])
        let outcome = assess(evaluated("r", composite: 85), entry: partial, rules: .standard, grading: .standard)
        #expect(outcome.score == nil && outcome.grade == nil && outcome.missing == [.target, .onsite])
        #expect(outcome.notes == ["待录入：目标管理责任制、现场述职评分"])
        let noVotes = assess(evaluated("r", composite: nil), entry: full, rules: .standard, grading: .standard)
        #expect(noVotes.score == nil && noVotes.missing == [.evaluation])
    }

    @Test func aZeroWeightLeavesThePartOut() {
        let rules = AssessmentRules(weights: [.evaluation: 1, .daily: 1])
        let outcome = assess(evaluated("r", composite: 80), entry: AssessmentEntry(scores: [.daily: 100]), rules: rules, grading: .standard)
        #expect(approx(outcome.score, 90) && outcome.grade == .good && outcome.parts.count == 2)
    }

    /// Issue 22, finding 9: a written-report secretary has no 现场述职评分; its weight is shared out among the parts
    /// that apply, in proportion to their own weights, and a final grade follows from them alone.
    @Test func aWrittenReportSharesTheOnSiteWeightOut() {
        let entry = AssessmentEntry(scores: [.daily: 90, .target: 80])
        let outcome = assess(evaluated("r", composite: 85), entry: entry, rules: .standard, grading: .standard, reportsOnSite: false)
        // (0.4×85 + 0.3×90 + 0.2×80) / 0.9 = 77 / 0.9 = 85.56
        #expect(approx(outcome.score, 77.0 / 0.9) && outcome.grade == .fairlyGood && outcome.missing.isEmpty)
        #expect(outcome.parts.map(\.component) == [.evaluation, .daily, .target] && outcome.notApplicable == [.onsite])
        #expect(outcome.notes == ["书面述职：不计现场述职评分，其权重按比例分给其余分项"])
        // The same weights for one who reports on site still want the on-site score.
        #expect(assess(evaluated("r", composite: 85), entry: entry, rules: .standard, grading: .standard).missing == [.onsite])
        // assessAll knows who reports in writing.
        let all = assessAll([evaluated("w", composite: 85), evaluated("o", composite: 85)], entries: ["w": entry, "o": entry],
                            rules: .standard, grading: .standard, writtenReports: ["w"])
        #expect(all["w"]?.grade == .fairlyGood && all["o"]?.grade == nil)
        // An on-site score cannot be entered for a written report.
        #expect(throws: AssessmentError.notApplicable(.onsite)) { try full.validate(reportsOnSite: false) }
        #expect(throws: Never.self) { try entry.validate(reportsOnSite: false) }
    }

    @Test func theVetoIsAlwaysPoor() {
        let entry = AssessmentEntry(scores: [.daily: 100, .target: 100, .onsite: 100], veto: "发生重大安全责任事故")
        let outcome = assess(evaluated("r", composite: 100), entry: entry, rules: .standard, grading: .standard)
        #expect(approx(outcome.score, 100) && outcome.grade == .poor && outcome.notes == ["一票否决：发生重大安全责任事故"])
        // Even before every part is in.
        let early = assess(evaluated("r", composite: 100), entry: AssessmentEntry(veto: "x"), rules: .standard, grading: .standard)
        #expect(early.grade == .poor && early.score == nil)
    }

    @Test func aBallotFlagStillCapsTheFinalGrade() {
        let entry = AssessmentEntry(scores: [.daily: 100, .target: 100, .onsite: 100])
        let outcome = assess(evaluated("r", composite: 95, flagged: true), entry: entry, rules: .standard, grading: .standard)
        #expect(approx(outcome.score, 98) && outcome.grade == .fairlyGood && outcome.notes.count == 1)
        var lenient = GradingRules.standard
        lenient.lowRatingCeiling = nil
        #expect(assess(evaluated("r", composite: 95, flagged: true), entry: entry, rules: .standard, grading: lenient).grade == .good)
    }

    @Test func theCapOnGoodFollowsTheFinalScore() {
        // Three would be 好; a cap of 1/2 of three graded allows one, the best final score; ties keep campaign order.
        var grading = GradingRules.standard
        grading.maxGoodShare = Fraction(1, 2)
        let results = [evaluated("a", composite: 92), evaluated("b", composite: 99), evaluated("c", composite: 95), evaluated("d", composite: nil)]
        let entries = Dictionary(uniqueKeysWithValues: ["a", "b", "c", "d"].map { ($0, AssessmentEntry(scores: [.daily: 95, .target: 95, .onsite: 95])) })
        let outcomes = assessAll(results, entries: entries, rules: .standard, grading: grading)
        #expect(outcomes["b"]?.grade == .good)
        #expect(outcomes["a"]?.grade == .fairlyGood && outcomes["c"]?.grade == .fairlyGood)
        #expect(outcomes["c"]?.notes.last == "超出“好”等次比例上限，调整为较好")
        #expect(outcomes["d"]?.grade == nil)
        let tie = assessAll([evaluated("x", composite: 95), evaluated("y", composite: 95)],
                            entries: ["x": entries["a"]!, "y": entries["a"]!], rules: .standard, grading: grading)
        #expect(tie["x"]?.grade == .good && tie["y"]?.grade == .fairlyGood)
    }

    @Test(arguments: [
        (AssessmentEntry(rawScores: ["daily": 100.5], veto: nil), AssessmentError.scoreOutOfRange(.daily)),
        (AssessmentEntry(rawScores: ["target": -0.1], veto: nil), .scoreOutOfRange(.target)),
        (AssessmentEntry(rawScores: ["onsite": .nan], veto: nil), .scoreOutOfRange(.onsite)),
        (AssessmentEntry(rawScores: ["evaluation": 80], veto: nil), .unknownComponent("evaluation")),
        (AssessmentEntry(rawScores: ["bonus": 1], veto: nil), .unknownComponent("bonus")),
        (AssessmentEntry(rawScores: [:], veto: " \n"), .vetoWithoutReason),
    ])
    func badEntriesAreRefused(entry: AssessmentEntry, error: AssessmentError) {
        #expect(throws: error) { try entry.validate() }
    }

    @Test func goodEntriesAndRulesPass() throws {
        try full.validate()
        try AssessmentEntry(rawScores: ["daily": 0, "target": 100], veto: "理由").validate()
        try AssessmentRules.standard.validate()
        #expect(throws: RulesError.self) { try AssessmentRules(rawWeights: [:]).validate() }
        #expect(throws: RulesError.self) { try AssessmentRules(rawWeights: ["evaluation": 0]).validate() }
        #expect(throws: RulesError.self) { try AssessmentRules(rawWeights: ["evaluation": -1, "daily": 2]).validate() }
        #expect(throws: RulesError.self) { try AssessmentRules(rawWeights: ["evaluation": .infinity]).validate() }
        #expect(throws: RulesError.self) { try AssessmentRules(rawWeights: ["extra": 1]).validate() }
    }

    /// Random entries: a complete assessment's score lies between its lowest and highest part, and a veto is 差.
    @Test func propertiesOverRandomEntries() {
        var rng = SeededGenerator(seed: 0xA55E55)
        for _ in 0..<2_000 {
            let composite = Bool.random(using: &rng) ? Double.random(in: 40...100, using: &rng) : nil
            var scores: [AssessmentComponent: Double] = [:]
            for part in AssessmentComponent.entered where Int.random(in: 0..<4, using: &rng) > 0 {
                scores[part] = Double.random(in: 0...100, using: &rng)
            }
            let veto = Int.random(in: 0..<6, using: &rng) == 0 ? "理由" : nil
            let weights = Dictionary(uniqueKeysWithValues: AssessmentComponent.allCases.map { ($0, Double(Int.random(in: 0...3, using: &rng))) })
            let rules = AssessmentRules(weights: weights)
            guard (try? rules.validate()) != nil else { continue }
            let outcome = assess(evaluated("r", composite: composite), entry: AssessmentEntry(scores: scores, veto: veto), rules: rules, grading: .standard)
            let present = outcome.parts.compactMap(\.score)
            if let score = outcome.score {
                #expect(outcome.missing.isEmpty && score >= present.min()! && score <= present.max()!)
            } else {
                #expect(!outcome.missing.isEmpty)
            }
            if veto != nil { #expect(outcome.grade == .poor) }
            if veto == nil, outcome.score == nil { #expect(outcome.grade == nil) }
        }
    }
}

@Suite("Charts, CSV and XML writing")
struct WritingTests {
    /// Parses `xml`, failing the test when it is not well formed.
    func wellFormed(_ xml: String) -> Bool {
        let parser = XMLParser(data: Data(xml.utf8))
        return parser.parse()
    }

    @Test func theDistributionChartIsWellFormedAndCarriesTheCounts() {
        let rows = [ResultChart.Row("党建<工作>&", GradeCounts(good: 4, fairlyGood: 1, average: 1, poor: 1, abstentions: 1, voids: 3)),
                    ResultChart.Row("无票的表", .zero)]
        let svg = ResultChart.distribution(title: "分布 \"测试\"", rows: rows)
        #expect(wellFormed(svg))
        #expect(svg.contains("党建&lt;工作&gt;&amp;") && svg.contains("分布 &quot;测试&quot;"))
        #expect(svg.contains("<title>好 4</title>") && svg.contains("<title>弃权 1</title>") && !svg.contains("废票"))
        #expect(svg.contains("71.4%") && svg.contains("无票"))
    }

    @Test func xmlEscapingDropsForbiddenControls() {
        #expect(XML.escape("a\u{01}b\u{0B}c\td\r\ne") == "abc\td\r\ne")
        #expect(XML.escape("'\"<>&") == "&apos;&quot;&lt;&gt;&amp;")
        #expect(wellFormed("<a b=\"\(XML.escape("x\"\u{02}<"))\">\(XML.escape("]]>\u{1F}"))</a>"))
    }

    @Test func csvStartsWithABomUsesCrlfAndDefusesFormulas() {
        let text = CSV.write([["名次", "姓名"], ["1", "王,\"建\"华"], ["=SUM(A1)", "-5", "@x", "+1"]])
        #expect(text.hasPrefix("\u{FEFF}名次,姓名\r\n"))
        #expect(text.contains("1,\"王,\"\"建\"\"华\"\r\n"))
        #expect(text.hasSuffix("'=SUM(A1),-5,'@x,+1\r\n"))
    }

    /// Whatever the fields, CSV.parse reads back what CSV.write wrote (after the formula guard).
    @Test func csvRoundTripsRandomFields() throws {
        var rng = SeededGenerator(seed: 0xC5F)
        let alphabet = Array("ab,\"\n\r 好差\t'=;")
        for _ in 0..<500 {
            let records = (0..<Int.random(in: 1...5, using: &rng)).map { _ in
                (0..<Int.random(in: 1...4, using: &rng)).map { _ in
                    String((0..<Int.random(in: 0...6, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
                }
            }
            let parsed = try CSV.parse(CSV.write(records)).map(\.fields)
            let expected = records.map { $0.map { $0.hasPrefix("=") ? "'" + $0 : $0 } }
            #expect(parsed == expected, "\(records)")
        }
    }
}
