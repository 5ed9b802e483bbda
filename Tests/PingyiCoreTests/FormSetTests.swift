import Foundation
import Testing
@testable import PingyiCore

@Suite("Form set (评议表编号规则)")
struct FormSetTests {
    typealias Column = FormSet.Input.Column

    func form(_ id: String? = nil, _ name: String = "抓基层党建工作", columns: [Column]? = nil) -> FormSet.Input {
        FormSet.Input(id: id, name: name, columns: columns ?? [Column(id: nil, name: "总体评价", kind: "overall"),
                                                                Column(id: nil, name: "组织建设", kind: "item")])
    }

    @Test func missingIDsAreNumberedAndNamesTrimmed() throws {
        let forms = try FormSet.normalized([form(nil, "  甲表 "), form("form1", "乙表")])
        // `form1` is taken by the second form, so the first gets the next free number.
        #expect(forms.map(\.id) == ["form2", "form1"])
        #expect(forms[0].name == "甲表")
        #expect(forms[0].columns.map(\.id) == ["overall", "item1"])
    }

    /// A new item column never takes an id the client sent for another column; kept ids keep their meaning.
    @Test func newColumnsSkipTheIDsSent() throws {
        let forms = try FormSet.normalized([form(columns: [
            Column(id: nil, name: "新栏目", kind: "item"), Column(id: "item1", name: "旧栏目", kind: "item"),
            Column(id: "x", name: "总体评价", kind: "overall"), Column(id: "overall", name: "冒名", kind: "item"),
        ])])
        #expect(forms[0].columns.map(\.id) == ["item2", "item1", "overall", "item3"])
    }

    @Test func countsAndCharactersAreChecked() {
        #expect(throws: FormSetError.formCount) { try FormSet.normalized([]) }
        #expect(throws: FormSetError.formCount) { try FormSet.normalized(Array(repeating: form(), count: 11)) }
        #expect(throws: FormSetError.formID("第 1 张评议表")) { try FormSet.normalized([form("表一")]) }
        #expect(throws: FormSetError.columnCount("第 1 张评议表")) { try FormSet.normalized([form(columns: [])]) }
        #expect(throws: FormSetError.columnKind("第 1 张评议表")) {
            try FormSet.normalized([form(columns: [Column(id: nil, name: "x", kind: "total")])])
        }
        #expect(throws: FormSetError.duplicateFormID) { try FormSet.normalized([form("a"), form("a")]) }
        #expect(FormSetError.formID("第 1 张评议表").message == "第 1 张评议表的编号只能由字母、数字和下划线组成")
    }

    @Test func namesAreEnteredText() {
        #expect(throws: FormSetError.nameMissing("第 1 张评议表的名称")) { try FormSet.normalized([form(nil, "  ")]) }
        #expect(throws: FormSetError.nameTooLong("第 1 张评议表的名称", 50)) {
            try FormSet.normalized([form(nil, String(repeating: "表", count: 51))])
        }
        #expect(throws: FormSetError.nameRefused("第 1 张评议表的栏目名称", .controlCharacter)) {
            try FormSet.normalized([form(columns: [Column(id: nil, name: "a\u{1B}b", kind: "overall")])])
        }
        #expect(FormSetError.nameTooLong("名称", 50).message == "名称不能超过 50 个字")
    }

    @Test func aFormNeedsExactlyOneOverallColumn() {
        #expect(throws: FormSetError.rules(.invalidForm("form1", "必须有且只有一个总体评价栏"))) {
            try FormSet.normalized([form(columns: [Column(id: nil, name: "组织建设", kind: "item")])])
        }
    }
}
