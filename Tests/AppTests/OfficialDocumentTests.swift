@testable import App
import Fluent
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import PingyiCore
import Testing
import Vapor
import ZIPFoundation

/// Issue 24: the 公文 as DOCX. Every figure in them is the results API's, formatted as the sheet formats it; the 版头
/// text is escaped; the package holds together (content types, relationships); no count → 409.
extension ResultsTests {
    /// A DOCX read back: its parts and the text of its paragraphs (runs joined, entities decoded).
    struct ReadDOCX {
        var parts: [String: String] = [:]
        var paragraphs: [String] = []
        var text: String { paragraphs.joined(separator: "\n") }

        init(_ data: Data) throws {
            let archive = try Archive(data: data, accessMode: .read)
            for entry in archive {
                var bytes = Data()
                _ = try archive.extract(entry) { bytes.append($0) }
                parts[entry.path] = String(decoding: bytes, as: UTF8.self)
            }
            let document = parts["word/document.xml"] ?? ""
            for paragraph in document.components(separatedBy: "</w:p>") {
                let texts = paragraph.matches(of: /<w:t[^>]*>([^<]*)<\/w:t>/).map { String($0.1) }
                paragraphs.append(Self.unescape(texts.joined()))
            }
        }

        static func unescape(_ text: String) -> String {
            text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
                .replacingOccurrences(of: "&amp;", with: "&")
        }

        /// Every part is well-formed XML; every override names a part; every relationship's target exists.
        func problems() -> [String] {
            var found: [String] = []
            for (path, text) in parts where !XMLParser(data: Data(text.utf8)).parse() { found.append("\(path) is not well-formed") }
            let types = parts["[Content_Types].xml"] ?? ""
            for match in types.matches(of: /PartName="\/([^"]+)"/) where parts[String(match.1)] == nil {
                found.append("content type for missing part \(match.1)")
            }
            for path in parts.keys where path.hasSuffix(".xml") && !path.hasPrefix("[") && !types.contains("PartName=\"/\(path)\"") {
                found.append("\(path) has no content type")
            }
            for (path, text) in parts where path.hasSuffix(".rels") {
                let folder = path.replacingOccurrences(of: "_rels/", with: "").replacingOccurrences(of: ".rels", with: "")
                let base = folder.split(separator: "/").dropLast().joined(separator: "/")
                for match in text.matches(of: /Target="([^"]+)"/) {
                    let target = base.isEmpty ? String(match.1) : "\(base)/\(match.1)"
                    if parts[target] == nil { found.append("\(path) points at missing \(target)") }
                }
            }
            let ids = Set((parts["word/_rels/document.xml.rels"] ?? "").matches(of: /Id="([^"]+)"/).map { String($0.1) })
            for match in (parts["word/document.xml"] ?? "").matches(of: /r:id="([^"]+)"/) where !ids.contains(String(match.1)) {
                found.append("dangling r:id \(match.1)")
            }
            return found
        }
    }

    static let trickyIssuer = "中共A&B<区>委\"组织部\"'😀'𠀀" + String(repeating: "很长的单位名称", count: 12)

    @Test(arguments: TestDatabase.available)
    func theDocumentsCarryTheAPIFigures(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let c = try await countedCampaign(app)
            let admin = c.token(.districtAdmin)
            let results = try await call(app, .GET, "\(c.base)/results", token: admin).decode(ResultsDTO.self)
            let issuer = Self.trickyIssuer.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let reply = try await call(app, .GET, "\(c.base)/documents/results-notice.docx?issuer=\(issuer)&number=%E7%BB%84%E9%80%9A%E3%80%942026%E3%80%957%E5%8F%B7&date=2026-12-04",
                                       token: admin)
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(reply.headers.contentType?.subType == "vnd.openxmlformats-officedocument.wordprocessingml.document")
            let notice = try ReadDOCX(Data(buffer: reply.body))
            #expect(notice.problems().isEmpty, "\(notice.problems())")
            #expect(notice.paragraphs.contains(Self.trickyIssuer + "文件"))
            #expect(notice.paragraphs.contains("组通〔2026〕7号") && notice.paragraphs.contains("2026年12月4日"))
            #expect(notice.parts["word/document.xml"]!.contains("A&amp;B&lt;区&gt;"))
            #expect(notice.text.contains("少于2人的评议人类别"))
            // The ranking table: one row per secretary in the API's order with the API's figures.
            let header = OfficialDocuments.rankingHeader
            let start = try #require(notice.paragraphs.firstIndex(of: header[0]))
            #expect(Array(notice.paragraphs[start..<start + header.count]) == header)
            var row = start + header.count
            for person in results.reportees {
                let expected = [person.rank.map(String.init) ?? "不排名", person.name, person.unitName,
                                person.composite.map { String(format: "%.2f", $0) } ?? "—",
                                person.goodRate.map(ResultChart.percent) ?? "—", person.gradeLabel ?? "—",
                                person.assessment?.gradeLabel ?? "待定"]
                #expect(Array(notice.paragraphs[row..<row + expected.count]) == expected)
                row += expected.count
            }
            #expect(notice.paragraphs.contains { $0.contains("王建华") } && notice.text.contains("79.00") && notice.text.contains("71.4%"))
            // 版记 and the layout: A4, 37 mm top, 28 mm left, the grid, odd/even page numbers.
            let document = notice.parts["word/document.xml"]!
            #expect(document.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\"/>") && document.contains("w:top=\"2098\"") && document.contains("w:left=\"1587\""))
            #expect(document.contains("w:linePitch=\"579\"") && document.contains("<w:tblHeader/>") && document.contains("<w:cantSplit/>"))
            #expect(notice.text.contains("抄送：") && notice.text.contains("印发"))
            #expect(notice.parts["word/settings.xml"]!.contains("<w:evenAndOddHeaders/>"))
            #expect(notice.parts["word/footer1.xml"]!.contains("w:val=\"right\"") && notice.parts["word/footer2.xml"]!.contains("w:val=\"left\""))
            #expect(notice.parts["word/fontTable.xml"]!.contains("<w:altName w:val=\"仿宋\"/>"))

            // 反馈意见书: a section per secretary, each form's overall counts and each shown group's.
            let all = try ReadDOCX(Data(buffer: try await call(app, .GET, "\(c.base)/documents/feedback.docx", token: admin).body))
            #expect(all.problems().isEmpty, "\(all.problems())")
            #expect(all.paragraphs.filter { $0 == "个人评议结果反馈意见书" }.count == results.reportees.count)
            // The heading set for the notice is remembered: the letters, made without one, are signed the same.
            #expect(all.paragraphs.filter { $0 == Self.trickyIssuer }.count == results.reportees.count)
            #expect(all.paragraphs.contains("2026年12月4日"))
            #expect(all.parts["word/document.xml"]!.components(separatedBy: "<w:sectPr>").count - 1 == results.reportees.count)
            let wang = try #require(results.reportees.first { $0.name == "王建华" })
            let single = try await call(app, .GET, "\(c.base)/documents/feedback/\(wang.reporteeID)", token: admin)
            #expect(single.status == .ok, "\(single.text)")
            let letter = try ReadDOCX(Data(buffer: single.body))
            #expect(letter.problems().isEmpty)
            #expect(letter.paragraphs.contains("王建华同志："))
            #expect(letter.text.contains("民主评议得分79.00分，好评率71.4%，名次第2名（共3名），评议等次“一般”，综合评定等次“待定”"))
            for form in wang.forms {
                let overall = try #require(form.columns.first { $0.kind == "overall" })
                let k = overall.counts
                let expected = [form.name] + [k.good, k.fairlyGood, k.average, k.poor, k.abstentions, k.valid].map(String.init)
                    + [form.goodRate.map(ResultChart.percent) ?? "—", form.score.map { String(format: "%.2f", $0) } ?? "—"]
                let at = try #require(letter.paragraphs.firstIndex(of: form.name))
                #expect(Array(letter.paragraphs[at..<at + expected.count]) == expected)
                for group in overall.byGroup {
                    let g = group.counts
                    let cells = [form.name, group.raterGroup] + [g.good, g.fairlyGood, g.average, g.poor, g.abstentions, g.valid].map(String.init)
                        + [g.valid > 0 ? group.goodRate.map(ResultChart.percent) ?? "—" : "—"]
                    let found = letter.paragraphs.indices.contains { i in
                        i + cells.count <= letter.paragraphs.count && Array(letter.paragraphs[i..<i + cells.count]) == cells
                    }
                    #expect(found, "\(cells)")
                }
            }
            // Only the campaign's admins; every download is audited.
            try expectError(try await call(app, .GET, "\(c.base)/documents/feedback.docx", token: c.token(.chair)), .forbidden)
            try expectError(try await call(app, .GET, "\(c.base)/documents/feedback/\(UUID())", token: admin), .notFound)
            try expectError(try await call(app, .GET, "\(c.base)/documents/results-notice.docx?date=2026-13-40", token: admin), .badRequest)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "results.export").count() == 3)
        }
    }

    @Test(arguments: TestDatabase.available)
    func noDocumentBeforeTheCount(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let box = try await openBox(app, present: 8, minimumGroupSize: 2)
            let admin = box.world.token(.districtAdmin)
            let base = "api/v1/campaigns/\(box.world.campaignID)/documents"
            try expectError(try await call(app, .GET, "\(base)/results-notice.docx", token: admin), .conflict)
            try expectError(try await call(app, .GET, "\(base)/feedback.docx", token: admin), .conflict)
        }
    }
}
