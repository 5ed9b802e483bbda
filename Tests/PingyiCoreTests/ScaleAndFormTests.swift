import Testing
@testable import PingyiCore

@Suite("Grade scale and points")
struct GradeScaleTests {
    @Test func gradesAreOrderedFromBestToWorstWithChineseLabels() {
        #expect(Grade.allCases.map(\.label) == ["好", "较好", "一般", "差"])
        #expect(Grade.allCases.map(\.rank) == [0, 1, 2, 3])
    }

    @Test(arguments: [("good", Grade.good), ("fairly_good", .fairlyGood), ("average", .average), ("poor", .poor),
                      ("好", .good), ("较好", .fairlyGood), ("一般", .average), ("差", .poor)])
    func gradeAcceptsCodeOrLabel(code: String, grade: Grade) {
        #expect(Grade(code: code) == grade)
    }

    @Test(arguments: ["", "GOOD", "优", "fair", " good", "好 "])
    func gradeRejectsAnythingElse(code: String) {
        #expect(Grade(code: code) == nil)
    }

    @Test func defaultPointsAre100_80_60_40() throws {
        let points = GradePoints.standard
        #expect(Grade.allCases.map { points[$0] } == [100, 80, 60, 40])
        #expect(points.range == 40...100)
        try points.validate()
    }

    @Test func pointsMustNotRiseTowardsWorseGrades() {
        #expect(throws: RulesError.invalidPoints) { try GradePoints(good: 80, fairlyGood: 90).validate() }
        #expect(throws: RulesError.invalidPoints) { try GradePoints(poor: -1).validate() }
        #expect(throws: RulesError.invalidPoints) { try GradePoints(good: .nan).validate() }
        #expect(throws: RulesError.invalidPoints) { try GradePoints(good: .infinity).validate() }
    }

    @Test func equalPointsForNeighbouringGradesAreAllowed() throws {
        try GradePoints(good: 100, fairlyGood: 100, average: 50, poor: 0).validate()
    }
}

@Suite("Form templates")
struct FormTemplateTests {
    @Test func seedHasTheChairsThreeFormsInOrder() {
        #expect(FormTemplate.seedForms.map(\.name) == ["抓基层党建工作", "履行党风廉政建设主体责任", "落实意识形态工作责任制"])
    }

    @Test(arguments: FormTemplate.seedForms)
    func eachSeedFormHasOneOverallColumnFirstAndFourToSixItems(form: FormTemplate) throws {
        try form.validate()
        #expect(form.columns.first?.kind == .overall)
        #expect(form.columns.first?.name == "总体评价")
        #expect((4...6).contains(form.itemColumns.count))
        #expect(form.overallColumn?.id == FormTemplate.overallColumnID)
    }

    @Test func partyBuildingFormHasTheIssuesItems() {
        #expect(FormTemplate.partyBuilding.itemColumns.map(\.name)
            == ["履行第一责任人职责", "基层组织建设", "党员队伍建设", "基层治理与服务", "上年度问题整改"])
    }

    @Test func validationRefusesMalformedForms() {
        let overall = FormColumn(id: "overall", name: "总体评价", kind: .overall)
        let item = FormColumn(id: "a", name: "甲", kind: .item)
        #expect(throws: RulesError.self) { try FormTemplate(id: "f", name: "表", columns: [item]).validate() }
        #expect(throws: RulesError.self) { try FormTemplate(id: "f", name: "表", columns: [overall, overall]).validate() }
        #expect(throws: RulesError.self) {
            try FormTemplate(id: "f", name: "表", columns: [overall, item, FormColumn(id: "a", name: "乙", kind: .item)]).validate()
        }
        #expect(throws: RulesError.self) { try FormTemplate(id: "f", name: " ", columns: [overall]).validate() }
        #expect(throws: RulesError.self) {
            try FormTemplate(id: "f", name: "表", columns: [overall, FormColumn(id: "b", name: "", kind: .item)]).validate()
        }
    }
}
