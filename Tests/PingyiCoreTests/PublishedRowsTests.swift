import Foundation
import Testing
@testable import PingyiCore

@Suite("Published rows (结果公示名单)")
struct PublishedRowsTests {
    func row(_ name: String, rank: Int?) -> PublishedRow {
        PublishedRow(reporteeID: UUID(), name: name, unitName: "\(name)单位", title: "书记", goodRate: nil, composite: nil, rank: rank,
                     evaluationGrade: nil, finalGrade: nil)
    }

    @Test func rowsGoByRankThenNameUnrankedLast() throws {
        let a = row("乙", rank: 2), b = row("甲", rank: 2), c = row("丙", rank: nil), d = row("丁", rank: 1)
        let rows = try PublishedRows.build([a, b, c, d].map(\.reporteeID), from: [c, a, d, b])
        // 乙 (U+4E59) sorts before 甲 (U+7532).
        #expect(rows.map(\.name) == ["丁", "乙", "甲", "丙"])
    }

    @Test func onlyTheChosenAreListed() throws {
        let a = row("甲", rank: 1), b = row("乙", rank: 2)
        #expect(try PublishedRows.build([b.reporteeID], from: [a, b]) == [b])
        #expect(throws: PublicationError.unknownReportee) { try PublishedRows.build([UUID()], from: [a, b]) }
    }

    @Test func theRequestIsChecked() throws {
        let id = UUID()
        try PublishedRows.checkRequest(days: 7, chosen: [id])
        #expect(throws: PublicationError.days) { try PublishedRows.checkRequest(days: 0, chosen: [id]) }
        #expect(throws: PublicationError.days) { try PublishedRows.checkRequest(days: 31, chosen: [id]) }
        #expect(throws: PublicationError.noneChosen) { try PublishedRows.checkRequest(days: 7, chosen: []) }
        #expect(throws: PublicationError.chosenTwice) { try PublishedRows.checkRequest(days: 7, chosen: [id, id]) }
        #expect(PublicationError.days.message == "公示期应为 1 到 30 天")
    }
}
