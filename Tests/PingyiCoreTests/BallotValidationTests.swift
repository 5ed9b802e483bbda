import Testing
@testable import PingyiCore

@Suite("Ballot validation")
struct BallotValidationTests {
    let spec = Fixture.spec

    func mark(_ reportee: String = "r1", _ form: String = "party_building", _ column: String = "overall", grade: String = "good") -> RawMark {
        RawMark(reportee: reportee, form: form, column: column, grade: grade)
    }

    @Test func aCompleteElectronicBallotKeepsEveryMark() throws {
        // setup
        let raw = spec.cells.map { RawMark(reportee: $0.reportee, form: $0.form, column: $0.column, grade: "fairly_good") }
        // call
        let ballot = try spec.validate(raw, raterGroup: "g1", medium: .electronic)
        // check
        #expect(ballot.marks.count == spec.cellCount)
        #expect(spec.cells.allSatisfy { ballot.outcome(at: $0) == .grade(.fairlyGood) })
        #expect(ballot.raterGroup == "g1")
        #expect(!ballot.isVoid)
    }

    @Test func anUnmarkedColumnIsAnAbstention() throws {
        let ballot = try spec.validate([mark()], raterGroup: "g1", medium: .electronic)
        #expect(ballot.outcome(at: Fixture.key("r1")) == .grade(.good))
        #expect(ballot.outcome(at: Fixture.key("r1", "party_building", "item1")) == .abstention)
        #expect(ballot.outcome(at: Fixture.key("r2")) == .abstention)
    }

    @Test func anEmptyBallotIsValidAndAbstainsEverywhere() throws {
        let ballot = try spec.validate([], raterGroup: "g1", medium: .paper)
        #expect(spec.cells.allSatisfy { ballot.outcome(at: $0) == .abstention })
    }

    @Test func chineseGradeLabelsAreAccepted() throws {
        let ballot = try spec.validate([mark(grade: "差")], raterGroup: "g1", medium: .electronic)
        #expect(ballot.outcome(at: Fixture.key("r1")) == .grade(.poor))
    }

    @Test func unknownReporteeRejectsTheWholeBallot() {
        #expect(throws: BallotRejection.unknownReportee("r9")) {
            try spec.validate([mark(), mark("r9")], raterGroup: "g1", medium: .electronic)
        }
    }

    @Test func unknownFormRejects() {
        #expect(throws: BallotRejection.unknownForm("finance")) {
            try spec.validate([mark("r1", "finance")], raterGroup: "g1", medium: .paper)
        }
    }

    @Test func unknownColumnRejectsNamingFormAndColumn() {
        #expect(throws: BallotRejection.unknownColumn(form: "integrity", column: "item9")) {
            try spec.validate([mark("r1", "integrity", "item9")], raterGroup: "g1", medium: .paper)
        }
    }

    @Test func unknownGradeRejects() {
        #expect(throws: BallotRejection.unknownGrade("excellent")) {
            try spec.validate([mark(grade: "excellent")], raterGroup: "g1", medium: .electronic)
        }
    }

    @Test func twoMarksInOnePaperColumnVoidThatColumnOnly() throws {
        // setup
        let raw = [mark(grade: "good"), mark(grade: "poor"), mark("r1", "party_building", "item1", grade: "average"), mark("r2")]
        // call
        let ballot = try spec.validate(raw, raterGroup: "g1", medium: .paper)
        // check
        #expect(ballot.outcome(at: Fixture.key("r1")) == .void)
        #expect(ballot.outcome(at: Fixture.key("r1", "party_building", "item1")) == .grade(.average))
        #expect(ballot.outcome(at: Fixture.key("r2")) == .grade(.good))
        #expect(!ballot.isVoid)
    }

    @Test func theSameGradeKeyedTwiceOnPaperIsOneMark() throws {
        let ballot = try spec.validate([mark(), mark()], raterGroup: "g1", medium: .paper)
        #expect(ballot.outcome(at: Fixture.key("r1")) == .grade(.good))
    }

    @Test func twoMarksInOneElectronicColumnRejectTheBallot() {
        #expect(throws: BallotRejection.multipleMarks(Fixture.key("r1"))) {
            try spec.validate([mark(grade: "good"), mark(grade: "good")], raterGroup: "g1", medium: .electronic)
        }
    }

    @Test func moreMarksThanASheetCanHoldReject() {
        let raw = Array(repeating: mark(), count: spec.cellCount * 4 + 1)
        #expect(throws: BallotRejection.tooManyMarks(limit: spec.cellCount * 4)) {
            try spec.validate(raw, raterGroup: "g1", medium: .paper)
        }
    }

    @Test func aVoidSheetIsVoidInEveryColumnAndHasNoMarks() {
        let ballot = CastBallot(raterGroup: "g1", marks: [Fixture.key("r1"): .grade(.good)], isVoid: true)
        #expect(ballot.marks.isEmpty)
        #expect(spec.cells.allSatisfy { ballot.outcome(at: $0) == .void })
    }

    @Test func everyRejectionHasAChineseMessageNamingTheCulprit() {
        #expect(BallotRejection.unknownReportee("r9").message.contains("r9"))
        #expect(BallotRejection.unknownForm("f").message.contains("评议表"))
        #expect(BallotRejection.unknownColumn(form: "f", column: "c").message.contains("c"))
        #expect(BallotRejection.unknownGrade("x").message.contains("好、较好、一般、差"))
        #expect(BallotRejection.multipleMarks(Fixture.key("r1")).message.contains("只能选一项"))
    }

    @Test func specListsCellsInCampaignOrder() {
        let small = BallotSpec(reportees: ["a", "b"], forms: [FormTemplate(id: "f", name: "表", items: ["甲"])])
        #expect(small.cells == [
            CellKey(reportee: "a", form: "f", column: "overall"), CellKey(reportee: "a", form: "f", column: "item1"),
            CellKey(reportee: "b", form: "f", column: "overall"), CellKey(reportee: "b", form: "f", column: "item1"),
        ])
        #expect(small.cellCount == 4)
    }
}
