@testable import App
import Fluent
import Foundation
import PaperPageDrawing
import PingyiCore
import SQLKit
import Testing
import Vapor

/// 扫描识别 over HTTP: pages drawn as the printer draws them, sent as the browser sends them (grayscale, raw
/// deflate), read, checked by people, sampled and counted; and every kind of bad page refused with nothing stored.
@Suite("Scanned paper ballots")
struct PaperScanTests: BallotBoxHelpers {
    /// A sealed round with `sets` paper sets for the first rater group and its scanning address.
    struct ScanBox {
        var box: Box
        var round: BallotRound
        var campaign: Campaign
        var scans: String { "\(box.base)/\(box.roundID)/scans" }
        var teller: String { box.world.token(.teller) }

        /// The printed page of form `form` (layout order), drawn with circles at (row, column, grade).
        func page(form: Int, circles: [(Int, Int, Int)], arcs: [(Int, Int, Int)] = [], round number: Int? = nil, group: Int = 0,
                  campaignID: String? = nil) throws -> SyntheticPage {
            let forms = PaperScanning.forms(round, campaign: campaign)
            let geometry = try #require(forms[min(form, forms.count - 1)].geometry(page: 0))
            let code = PaperPageCode(campaignTag: PaperPageCode.campaignTag(campaignID ?? box.world.campaignID), round: number ?? round.number,
                                     group: group, form: form, page: 0)
            var page = SyntheticPage(geometry: geometry, code: code)
            for (r, c, g) in circles { page.circles[page.key(row: r, column: c, grade: g)] = 1 }
            for (r, c, g) in arcs { page.arcs[page.key(row: r, column: c, grade: g)] = 0.1 }
            return page
        }
    }

    func sealedScanBox(_ app: Application, sets: Int = 4, before seal: (Box) async throws -> Void = { _ in },
                       request: (([RaterGroup]) -> RoundOpenRequest)? = nil) async throws -> ScanBox {
        let box = try await openBox(app, present: 4, paperSheetsOfFirstGroup: sets, request: request)
        try await seal(box)
        #expect(try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: box.world.token(.chair)).status == .ok)
        let round = try #require(try await BallotRound.find(box.roundID, on: app.db))
        let campaign = try #require(try await Campaign.find(round.$campaign.id, on: app.db))
        return ScanBox(box: box, round: round, campaign: campaign)
    }

    func upload(_ app: Application, _ sb: ScanBox, _ image: GrayImage, token: String? = nil) async throws -> Reply {
        try await call(app, .POST, "\(sb.scans)?width=\(image.width)&height=\(image.height)", token: token ?? sb.teller,
                       raw: Data(storedDeflate(image.pixels)))
    }

    func scanCount(_ app: Application) async throws -> Int { try await PaperScan.query(on: app.db).count() }

    @Test(arguments: TestDatabase.available)
    func aPageIsReadOnceCountsInItsOwnFormAndItsReadingIsErasedAtTheCount(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // Setup: form 1 (党风廉政) with 好 for the first secretary in every column, 差 for the second's 总体评价.
            let sb = try await sealedScanBox(app)
            let image = try sb.page(form: 1, circles: (0..<6).map { (0, $0, 0) } + [(1, 0, 3)]).render()
            // Call: uploaded twice (a double click), then the 清点票数, the sample, the count.
            let first = try await upload(app, sb, image)
            let again = try await upload(app, sb, image)
            // Check
            #expect(first.status == .created)
            let scan = try first.decode(PaperScanDTO.self)
            #expect(scan.state == "read" && scan.formIndex == 1 && scan.raterGroupID == sb.box.opened.paperForms[0].raterGroupID)
            #expect(scan.reading == "111111" + "400000" + String(repeating: "0", count: 54))
            #expect(try again.status == .ok && again.decode(PaperScanDTO.self).repeated)
            #expect(try await scanCount(app) == 1)
            let count = "\(sb.box.base)/\(sb.box.roundID)/count"
            let chair = sb.box.world.token(.chair)
            #expect(try await call(app, .POST, count, token: chair).text.contains("清点票数"))
            #expect(try await call(app, .PUT, "\(sb.box.base)/\(sb.box.roundID)/box-counts", token: sb.teller, json: BoxCountsRequest(counts: [0, 2, 0])).status == .ok)
            #expect(try await call(app, .POST, count, token: chair).text.contains("清点 2 张，已识别和编号录入 1 张"))
            #expect(try await call(app, .PUT, "\(sb.box.base)/\(sb.box.roundID)/box-counts", token: sb.teller, json: BoxCountsRequest(counts: [0, 1, 0])).status == .ok)
            #expect(try await call(app, .POST, count, token: chair).text.contains("尚未抽查"))
            #expect(try await call(app, .POST, "\(sb.scans)/sample", token: sb.teller).status == .forbidden)
            let sampled = try await call(app, .POST, "\(sb.scans)/sample", token: sb.box.world.token(.scrutineer)).decode(PaperScansDTO.self)
            #expect(sampled.scans.filter(\.sampled).count == 1)
            #expect(try await call(app, .POST, "\(sb.scans)/sample", token: sb.box.world.token(.scrutineer)).status == .conflict)
            #expect(try await call(app, .POST, count, token: chair).text.contains("未核对"))
            let check = try await call(app, .POST, "\(sb.scans)/\(scan.id)/sample-check", token: sb.box.world.token(.scrutineer),
                                       json: ScanMarksRequest(marks: scan.reading, raterGroupID: scan.raterGroupID, formIndex: scan.formIndex))
            #expect(check.status == .ok)
            let counted = try await call(app, .POST, count, token: chair)
            #expect(counted.status == .ok, "\(counted.text)")
            let reconciliation = try #require(try await BallotRound.find(sb.box.roundID, on: app.db)?.countedReconciliation())
            #expect(reconciliation.forms?.map(\.returned) == [0, 1, 0])
            #expect(reconciliation.forms?.map(\.issued) == [4, 4, 4])
            #expect(reconciliation.scanSample == ScanSample(pages: 1, drawn: 1, checked: 1, corrected: 0))
            #expect(reconciliation.sheets?.returned == 1)
            // The ballot counts in form 1's cells only; the page's reading and the checks' marks are gone.
            let paper = try await Ballot.query(on: app.db).filter(\.$medium == "paper").all()
            #expect(paper.count == 1)
            let layout = sb.round.layout
            let marks = Array(paper[0].marks.utf8)
            for (i, cell) in layout.cells.enumerated() where cell.form != sb.campaign.forms[1].id { #expect(marks[i] == UInt8(ascii: "-")) }
            #expect(paper[0].marks.filter { $0 == "1" }.count == 6 && paper[0].marks.filter { $0 == "4" }.count == 1)
            let stored = try #require(try await PaperScan.query(on: app.db).first())
            #expect(stored.reading.isEmpty && stored.scores.isEmpty && stored.image != nil)
            #expect(try await PaperScanCheck.query(on: app.db).all().allSatisfy { $0.marks.isEmpty })
            // After the count nothing more goes in.
            #expect(try await upload(app, sb, try sb.page(form: 0, circles: []).render()).status == .conflict)
        }
    }

    @Test(arguments: TestDatabase.available)
    func unsureColumnsNeedTwoTellersAndADisagreementGoesToTheScrutineer(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // Setup: a hesitant mark in row 2, column 3 of form 0.
            let sb = try await sealedScanBox(app)
            try await makeUser(app, username: "teller2", role: .teller, orgUnitID: sb.box.world.district.id)
            let t2 = try await login(app, "teller2")
            let scan = try await upload(app, sb, try sb.page(form: 0, circles: [(0, 0, 0)], arcs: [(2, 3, 1)]).render()).decode(PaperScanDTO.self)
            #expect(scan.state == "unsure")
            let unsure = Array(scan.reading).enumerated().filter { $0.element == "?" }.map(\.offset)
            #expect(unsure == [2 * 6 + 3])
            func decided(_ symbol: Character) -> String { String(scan.reading.map { $0 == "?" ? symbol : $0 }) }
            let path = "\(sb.scans)/\(scan.id)"
            // A decision may not change what the machine was sure of; a '?' left is refused.
            #expect(try await call(app, .POST, path + "/decision", token: sb.teller, json: ScanMarksRequest(marks: "2" + decided("2").dropFirst())).status == .unprocessableEntity)
            #expect(try await call(app, .POST, path + "/decision", token: sb.teller, json: ScanMarksRequest(marks: scan.reading)).status == .unprocessableEntity)
            #expect(try await call(app, .POST, path + "/decision", token: sb.box.world.token(.scrutineer), json: ScanMarksRequest(marks: decided("2"))).status == .forbidden)
            // Call: the first teller twice (a double click), the second teller differently, the scrutineer rules.
            let once = try await call(app, .POST, path + "/decision", token: sb.teller, json: ScanMarksRequest(marks: decided("2")))
            let twice = try await call(app, .POST, path + "/decision", token: sb.teller, json: ScanMarksRequest(marks: decided("2")))
            let second = try await call(app, .POST, path + "/decision", token: t2, json: ScanMarksRequest(marks: decided("0")))
            // Check
            #expect(try once.decode(PaperScanDTO.self).state == "decided_once")
            #expect(twice.status == .conflict)
            #expect(try second.decode(PaperScanDTO.self).state == "mismatch")
            let seen = try await call(app, .GET, path, token: sb.box.world.token(.scrutineer)).decode(PaperScanDTO.self)
            #expect(seen.decisions.sorted() == [decided("0"), decided("2")].sorted())
            #expect(try await call(app, .GET, path, token: sb.teller).decode(PaperScanDTO.self).decisions.isEmpty)
            #expect(try await call(app, .POST, path + "/ruling", token: sb.teller, json: ScanMarksRequest(marks: decided("2"))).status == .forbidden)
            let ruled = try await call(app, .POST, path + "/ruling", token: sb.box.world.token(.scrutineer), json: ScanMarksRequest(marks: decided("2")))
            #expect(try ruled.decode(PaperScanDTO.self).state == "confirmed")
            #expect(try ruled.decode(PaperScanDTO.self).reading == decided("2"))
            #expect(try await call(app, .POST, path + "/ruling", token: sb.box.world.token(.scrutineer), json: ScanMarksRequest(marks: decided("2"))).status == .conflict)
            // The row crop the tellers look at is a PNG.
            let crop = try await call(app, .GET, path + "/image?row=2", token: sb.teller)
            #expect(crop.status == .ok && crop.headers.contentType == .png && crop.body.readableBytes > 1000)
        }
    }

    @Test(arguments: TestDatabase.available)
    func aKeptPageImageIsSmallAndStillShowsTheRow(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let sb = try await sealedScanBox(app)
            // A grainy scan: every pixel off by up to 12 levels either way (seeded), sent uncompressed as the browser
            // would send a page it could not compress (about 1.4 MB).
            let clean = try sb.page(form: 0, circles: [(0, 0, 1), (2, 3, 2)]).render()
            var noise = SplitMix64(seed: 7)
            let grainy = try #require(GrayImage(width: clean.width, height: clean.height,
                                                pixels: clean.pixels.map { UInt8(max(0, min(255, Int($0) + Int(noise.next() % 25) - 12))) }))
            let reply = try await upload(app, sb, grainy)
            #expect(reply.status == .created)
            let scan = try reply.decode(PaperScanDTO.self)
            // The reading is made from the full upload, not from what is kept.
            let geometry = try #require(PaperScanning.forms(sb.round, campaign: sb.campaign)[0].geometry(page: 0))
            #expect(scan.reading == String(decoding: PaperReader.read(grainy, try PaperReader.locate(grainy), geometry: geometry).symbols, as: UTF8.self))
            let kept = try #require(try await PaperScan.find(scan.id, on: app.db)?.image)
            #expect(kept.count <= StoredPageImage.limit && kept.count < storedDeflate(grainy.pixels).count / 4)
            // What people look at still comes from it: the row crop and the whole page, straightened.
            for tail in ["/image?row=2", "/image"] {
                let picture = try await call(app, .GET, "\(sb.scans)/\(scan.id)\(tail)", token: sb.teller)
                #expect(picture.status == .ok && picture.headers.contentType == .png && picture.body.readableBytes > 1000)
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func twoTellersConfirmingAtOnceGiveOneOutcome(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let sb = try await sealedScanBox(app)
            try await makeUser(app, username: "teller2", role: .teller, orgUnitID: sb.box.world.district.id)
            let t2 = try await login(app, "teller2")
            let image = try sb.page(form: 2, circles: [(1, 1, 1)], arcs: [(4, 0, 2)]).render()
            // The same page sent by two tellers at once is stored once.
            async let a = upload(app, sb, image)
            async let b = upload(app, sb, image, token: t2)
            let statuses = try await [a.status, b.status].sorted { $0.code < $1.code }
            #expect(statuses.first == .ok || statuses.first == .created)
            #expect(try await scanCount(app) == 1)
            let scan = try #require(try await PaperScan.query(on: app.db).first())
            let marks = String(scan.reading.map { $0 == "?" ? "3" : $0 })
            async let x = call(app, .POST, "\(sb.scans)/\(scan.id!)/decision", token: sb.teller, json: ScanMarksRequest(marks: marks))
            async let y = call(app, .POST, "\(sb.scans)/\(scan.id!)/decision", token: t2, json: ScanMarksRequest(marks: marks))
            let replies = try await [x, y]
            let after = try #require(try await PaperScan.find(scan.id, on: app.db))
            let checks = try await PaperScanCheck.query(on: app.db).count()
            // Either both went in one after the other (confirmed), or one was turned away and nothing half-done remains.
            if replies.allSatisfy({ $0.status == .ok }) {
                #expect(after.state == .confirmed && checks == 2)
            } else {
                #expect(replies.filter { $0.status == .conflict }.count == 1 && after.state == .decidedOnce && checks == 1)
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func badPagesAreRefusedWithAReasonAndNothingIsStored(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let sb = try await sealedScanBox(app)
            let cases: [(String, Reply)] = [
                ("不属于本次评议", try await upload(app, sb, try sb.page(form: 0, circles: [], campaignID: UUID().uuidString).render())),
                ("第 2 轮", try await upload(app, sb, try sb.page(form: 0, circles: [], round: 2).render())),
                ("评议人类别", try await upload(app, sb, try sb.page(form: 0, circles: [], group: 5).render())),
                ("定位方块", try await upload(app, sb, GrayImage(width: 1400, height: 990, pixels: [UInt8](repeating: 236, count: 1400 * 990))!)),
                ("图像数据无效", try await call(app, .POST, "\(sb.scans)?width=1400&height=990", token: sb.teller, raw: Data("not a page".utf8))),
                ("图像数据无效", try await call(app, .POST, "\(sb.scans)?width=99999&height=990", token: sb.teller, raw: Data(storedDeflate([1, 2, 3])))),
                ("图像数据无效", try await call(app, .POST, sb.scans, token: sb.teller, raw: Data(storedDeflate([1, 2, 3])))),
            ]
            for (reason, reply) in cases {
                #expect(reply.status == .unprocessableEntity, "\(reason): \(reply.status) \(reply.text)")
                #expect(reply.text.contains(reason), "\(reason): \(reply.text)")
            }
            // A photo of a screen: stripes of a display's pixels, no corner marks.
            let stripes = (0..<(1400 * 990)).map { UInt8($0 % 7 < 3 ? 40 : 200) }
            #expect(try await upload(app, sb, GrayImage(width: 1400, height: 990, pixels: stripes)!).status == .unprocessableEntity)
            // Too large a body.
            let huge = try await call(app, .POST, "\(sb.scans)?width=1400&height=990", token: sb.teller, raw: Data(count: 13_000_000))
            #expect(huge.status == .payloadTooLarge)
            // Someone who may not scan, and a campaign out of scope.
            #expect(try await upload(app, sb, try sb.page(form: 0, circles: []).render(), token: sb.box.world.token(.reportee)).status == .forbidden)
            #expect(try await upload(app, sb, try sb.page(form: 0, circles: []).render(), token: sb.box.world.token(.townAdmin)).status == .notFound)
            #expect(try await scanCount(app) == 0)
            // An upside-down page is simply read.
            let turned = try await upload(app, sb, try sb.page(form: 0, circles: [(10, 5, 3)]).render(turned: true))
            #expect(turned.status == .created)
            #expect(try turned.decode(PaperScanDTO.self).reading.hasSuffix("00004"))
        }
    }

    @Test(arguments: TestDatabase.available)
    func aSecondScanOfOneSheetIsHeldForTheScrutineer(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let sb = try await sealedScanBox(app)
            let page = try sb.page(form: 0, circles: [(0, 0, 0), (3, 2, 1), (7, 5, 2)])
            let first = try await upload(app, sb, page.render()).decode(PaperScanDTO.self)
            let second = try await upload(app, sb, page.render(angle: 0.01)).decode(PaperScanDTO.self)
            #expect(first.state == "read")
            #expect(second.state == "possible_duplicate" && second.duplicateOf == first.id)
            // Another voter's sheet with other marks is not held.
            let other = try await upload(app, sb, try sb.page(form: 0, circles: [(0, 0, 1), (3, 2, 1), (7, 5, 2)]).render()).decode(PaperScanDTO.self)
            #expect(other.state == "read")
            let drop = try await call(app, .POST, "\(sb.scans)/\(second.id)/ruling", token: sb.box.world.token(.scrutineer), json: ScanMarksRequest(keep: false))
            #expect(try drop.decode(PaperScanDTO.self).state == "discarded")
            let overview = try await call(app, .GET, sb.scans, token: sb.teller).decode(PaperScansDTO.self)
            #expect(overview.forms[0].recognized == 2 && overview.forms[0].pending == 0)
        }
    }

    @Test(arguments: TestDatabase.available)
    func aPageTheMachineCannotReadIsKeyedByHandForItsFormOnly(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let sb = try await sealedScanBox(app)
            try await makeUser(app, username: "teller2", role: .teller, orgUnitID: sb.box.world.district.id)
            let t2 = try await login(app, "teller2")
            let group = sb.box.opened.paperForms[0].raterGroupID
            let numbered = try await call(app, .POST, "\(sb.box.base)/\(sb.box.roundID)/sheets", token: sb.teller,
                                          json: NumberSheetRequest(raterGroupID: group, formIndex: 2, page: 0)).decode(PaperSheetStatusDTO.self)
            #expect(numbered.formIndex == 2)
            #expect(try await call(app, .POST, "\(sb.box.base)/\(sb.box.roundID)/sheets", token: sb.teller,
                                   json: NumberSheetRequest(raterGroupID: group, formIndex: 2, page: 1)).status == .notFound)
            let entry = "\(sb.box.base)/\(sb.box.roundID)/sheets/\(numbered.serial)/entry"
            let whole = String(repeating: "1", count: sb.round.layout.cells.count)
            #expect(try await call(app, .POST, entry, token: sb.teller, json: PaperEntryRequest(marks: whole)).status == .unprocessableEntity)
            let page = String(repeating: "2", count: 66)
            #expect(try await call(app, .POST, entry, token: sb.teller, json: PaperEntryRequest(marks: page)).status == .ok)
            #expect(try await call(app, .POST, entry, token: t2, json: PaperEntryRequest(marks: page)).status == .ok)
            let ballot = try #require(try await Ballot.query(on: app.db).filter(\.$medium == "paper").first())
            #expect(ballot.marks.filter { $0 == "2" }.count == 66 && ballot.marks.filter { $0 == "-" }.count == sb.round.layout.cells.count - 66)
            // The count wants the box counted: one sheet of form 2.
            #expect(try await call(app, .PUT, "\(sb.box.base)/\(sb.box.roundID)/box-counts", token: sb.teller, json: BoxCountsRequest(counts: [0, 0, 1])).status == .ok)
            let counted = try await call(app, .POST, "\(sb.box.base)/\(sb.box.roundID)/count", token: sb.box.world.token(.chair))
            #expect(counted.status == .ok, "\(counted.text)")
            let reconciliation = try #require(try await BallotRound.find(sb.box.roundID, on: app.db)?.countedReconciliation())
            #expect(reconciliation.forms?.map(\.returned) == [0, 0, 1] && reconciliation.scanSample == nil)
        }
    }

    @Test func boxCountsAreRefusedInEveryOtherRoundStateAndForWrongShapes() async throws {
        try await withApp(.sqlite) { app in
            let box = try await openBox(app, present: 4, paperSheetsOfFirstGroup: 4)
            let path = "\(box.base)/\(box.roundID)/box-counts"
            let teller = box.world.token(.teller)
            #expect(try await call(app, .PUT, path, token: teller, json: BoxCountsRequest(counts: [1, 1, 1])).status == .conflict)
            #expect(try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: box.world.token(.chair)).status == .ok)
            #expect(try await call(app, .PUT, path, token: teller, json: BoxCountsRequest(counts: [1, 1])).status == .unprocessableEntity)
            #expect(try await call(app, .PUT, path, token: teller, json: BoxCountsRequest(counts: [1, -1, 1])).status == .unprocessableEntity)
            #expect(try await call(app, .PUT, path, token: teller, json: ["counts": "x"]).status == .badRequest)
            #expect(try await call(app, .PUT, path, token: teller, json: BoxCountsRequest(counts: [0, 0, 0])).status == .ok)
            #expect(try await call(app, .POST, "\(box.base)/\(box.roundID)/count", token: box.world.token(.chair)).status == .ok)
            #expect(try await call(app, .PUT, path, token: teller, json: BoxCountsRequest(counts: [1, 1, 1])).status == .conflict)
        }
    }

    @Test func pageImagesAreErasedWhenTheCampaignIsArchived() async throws {
        try await withApp(.sqlite) { app in
            let sb = try await sealedScanBox(app)
            let scan = try await upload(app, sb, try sb.page(form: 0, circles: [(0, 0, 0)]).render()).decode(PaperScanDTO.self)
            let admin = sb.box.world.token(.sysadmin)
            #expect(try await call(app, .GET, "\(sb.scans)/\(scan.id)/image", token: admin).status == .ok)
            _ = try await call(app, .PUT, "\(sb.box.base)/\(sb.box.roundID)/box-counts", token: admin, json: BoxCountsRequest(counts: [1, 0, 0]))
            _ = try await call(app, .POST, "\(sb.scans)/sample", token: sb.box.world.token(.scrutineer))
            _ = try await call(app, .POST, "\(sb.scans)/\(scan.id)/sample-check", token: sb.box.world.token(.scrutineer),
                               json: ScanMarksRequest(marks: scan.reading, raterGroupID: scan.raterGroupID, formIndex: scan.formIndex))
            #expect(try await call(app, .POST, "\(sb.box.base)/\(sb.box.roundID)/count", token: sb.box.world.token(.chair)).status == .ok)
            let base = "api/v1/campaigns/\(sb.box.world.campaignID)"
            let reportee = try #require(try await Reportee.query(on: app.db).first())
            #expect(try await call(app, .POST, "\(base)/publications", token: admin, json: PublicationRequest(reporteeIDs: [reportee.id!], days: 7)).status == .created)
            #expect(try await call(app, .GET, "\(sb.scans)/\(scan.id)/image", token: admin).status == .ok)
            #expect(try await call(app, .POST, "\(base)/status", token: admin, json: ["status": "archived"]).status == .ok)
            #expect(try await call(app, .GET, "\(sb.scans)/\(scan.id)/image", token: admin).status == .gone)
            #expect(try await PaperScan.query(on: app.db).all().allSatisfy { $0.image == nil })
        }
    }
}
