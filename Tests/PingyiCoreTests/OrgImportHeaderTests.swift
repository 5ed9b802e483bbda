import Testing
@testable import PingyiCore

/// Issue 23's walk: the office's own org table (序号, 组织名称, 上级党组织, 组织类型, 所属领域, 书记姓名) was refused for its
/// headers. Those headers are read as the columns they mean; 序号 and 备注 are read past; anything else is still refused.
@Suite("Org import: the office's own headers")
struct OrgImportHeaderTests {
    static func parse(_ csv: String) -> Result<[OrgImportRow], ImportFailure> {
        OrgImport.parse(try! CSV.parse(csv), existingNames: ["**区委"])
    }

    @Test func theOfficesOwnHeadersImport() throws {
        let rows = try Self.parse("""
            序号,组织名称,上级党组织,组织类型,所属领域,书记姓名,备注
            1,**镇党委,,党委,农村,王建华,
            2,**镇**村党支部,**镇党委,党支部,农村,赵六,新建
            """).get()
        #expect(rows.map(\.name) == ["**镇党委", "**镇**村党支部"])
        #expect(rows.map(\.parentName) == ["", "**镇党委"])
        #expect(rows.map(\.secretary) == ["王建华", "赵六"])
        #expect(rows.map(\.domain) == [.rural, .rural])
    }

    @Test func aColumnNamedTwiceOrUnknownIsStillRefused() {
        guard case .failure(let twice) = Self.parse("名称,组织名称,类型,领域\n甲,甲,党委,农村\n") else { Issue.record("accepted"); return }
        #expect(twice.issues.map(\.text) == ["表头“组织名称”与“名称”是同一列，重复"])
        guard case .failure(let unknown) = Self.parse("组织名称,类型,领域,联系电话\n甲,党委,农村,123\n") else { Issue.record("accepted"); return }
        #expect(unknown.issues.map(\.text) == ["无法识别的列“联系电话”，可用的列：名称、类型、领域、上级组织、书记"])
    }

    @Test func theOfficesOwnHeadersImportSecretariesAndAttendeesToo() throws {
        let reportees = try ReporteeImport.parse(try CSV.parse("""
            序号,姓名,工作单位,职位,述职形式,备注
            1,王建华,**镇党委,党委书记,书面,
            """)).get()
        #expect(reportees.map(\.name) == ["王建华"] && reportees.map(\.unit) == ["**镇党委"] && reportees.map(\.title) == ["党委书记"])
        let people = try ParticipantImport.parse(try CSV.parse("""
            序号,姓名,所在单位,参会身份,评议人类型
            1,李四,**镇,出席,区领导
            """), raterGroups: ["区领导"]).get()
        #expect(people.map(\.name) == ["李四"] && people.map(\.unit) == ["**镇"] && people.map(\.raterGroup) == ["区领导"])
        guard case .failure(let unknown) = ReporteeImport.parse(try CSV.parse("姓名,单位,联系电话\n甲,乙,1\n")) else {
            Issue.record("accepted"); return
        }
        #expect(unknown.issues.count == 1)
    }
}
