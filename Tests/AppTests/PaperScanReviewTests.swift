@testable import App
import Fluent
import Foundation
import PaperPageDrawing
import PingyiCore
import SQLKit
import Testing
import Vapor

/// The findings of the outside review of the paper path, each at the HTTP route on both databases: request sizes that
/// overflow, a sheet scanned twice, a second click on 取出一张并编号, whole sets against the box counts, the
/// scrutineer's labels, the reconciliation's figures, the sample's wording and the group printed on a sheet.
@Suite("Paper path review findings")
struct PaperScanReviewTests: BallotBoxHelpers {
    let helper = PaperScanTests()

    func sealed(_ app: Application, sets: Int = 4, before seal: (Box) async throws -> Void = { _ in },
                request: (([RaterGroup]) -> RoundOpenRequest)? = nil) async throws -> PaperScanTests.ScanBox {
        try await helper.sealedScanBox(app, sets: sets, before: seal, request: request)
    }

    func upload(_ app: Application, _ sb: PaperScanTests.ScanBox, _ image: GrayImage, token: String? = nil) async throws -> Reply {
        try await helper.upload(app, sb, image, token: token)
    }

    func path(_ sb: PaperScanTests.ScanBox, _ tail: String) -> String { "\(sb.box.base)/\(sb.box.roundID)/\(tail)" }

    /// A second teller's token, for the double entries.
    func secondTeller(_ app: Application, _ sb: PaperScanTests.ScanBox) async throws -> String {
        try await makeUser(app, username: "teller2", role: .teller, orgUnitID: sb.box.world.district.id)
        return try await login(app, "teller2")
    }

    /// What the keying tests start from: a sealed box, a second teller's token, the first rater group's id.
    func withKeying(_ database: TestDatabase, _ body: (Application, PaperScanTests.ScanBox, String, UUID) async throws -> Void) async throws {
        try await withApp(database) { app in
            let sb = try await sealed(app)
            try await body(app, sb, try await secondTeller(app, sb), sb.box.opened.paperForms[0].raterGroupID)
        }
    }

    // MARK: 1. sizes from the request

    @Test(arguments: TestDatabase.available)
    func pageSizesThatOverflowAreRefusedNotACrash(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let sb = try await sealed(app)
            for (width, height) in [("4294967296", "4294967296"), ("3037000500", "3037000500"), ("9223372036854775807", "9223372036854775807"),
                                    ("9223372036854775807", "400"), ("-4294967296", "-4294967296")] {
                let reply = try await call(app, .POST, "\(sb.scans)?width=\(width)&height=\(height)", token: sb.teller,
                                           raw: Data(storedDeflate([1, 2, 3])))
                #expect(reply.status == .unprocessableEntity, "\(width)×\(height): \(reply.status) \(reply.text)")
                #expect(reply.text.contains("图像数据无效"))
            }
            #expect(try await PaperScan.query(on: app.db).count() == 0)
            // The server is still there.
            #expect(try await upload(app, sb, try sb.page(form: 0, circles: [(0, 0, 0)]).render()).status == .created)
        }
    }

    // MARK: 2. a sheet scanned twice with too few marks to tell

    @Test(arguments: TestDatabase.available)
    func aSheetWithFewMarksOrNoneScannedTwiceIsHeldNotCountedTwice(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let sb = try await sealed(app)
            // Two marks: too few for the ink's position to tell two sheets apart.
            let two = try sb.page(form: 0, circles: [(0, 0, 0), (3, 2, 1)])
            let first = try await upload(app, sb, two.render()).decode(PaperScanDTO.self)
            let second = try await upload(app, sb, two.render(angle: 0.01)).decode(PaperScanDTO.self)
            #expect(first.state == "read")
            #expect(second.state == "possible_duplicate" && second.duplicateOf == first.id)
            // A blank sheet scanned twice, of another form.
            let blank = try sb.page(form: 1, circles: [])
            let blankFirst = try await upload(app, sb, blank.render()).decode(PaperScanDTO.self)
            let blankSecond = try await upload(app, sb, blank.render(angle: -0.01)).decode(PaperScanDTO.self)
            #expect(blankFirst.state == "read" && blankSecond.state == "possible_duplicate" && blankSecond.duplicateOf == blankFirst.id)
            // Another voter's sheet that reads differently is not held.
            let other = try await upload(app, sb, try sb.page(form: 0, circles: [(0, 0, 1)]).render()).decode(PaperScanDTO.self)
            #expect(other.state == "read")
            // The scrutineer keeps the blank one (two voters left it blank) and drops the second scan.
            let scrutineer = sb.box.world.token(.scrutineer)
            #expect(try await call(app, .POST, "\(sb.scans)/\(second.id)/ruling", token: scrutineer, json: ScanMarksRequest(keep: false))
                .decode(PaperScanDTO.self).state == "discarded")
            #expect(try await call(app, .POST, "\(sb.scans)/\(blankSecond.id)/ruling", token: scrutineer, json: ScanMarksRequest(keep: true))
                .decode(PaperScanDTO.self).state == "read")
            let overview = try await call(app, .GET, sb.scans, token: sb.teller).decode(PaperScansDTO.self)
            #expect(overview.forms.map(\.recognized) == [2, 2, 0] && overview.forms.allSatisfy { $0.pending == 0 })
        }
    }

    @Test(arguments: TestDatabase.available)
    func aReadPageCanBeDroppedBeforeTheCountOnceAndNotAfter(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let sb = try await sealed(app)
            let scrutineer = sb.box.world.token(.scrutineer), chair = sb.box.world.token(.chair)
            let kept = try await upload(app, sb, try sb.page(form: 0, circles: [(0, 0, 0), (1, 1, 1), (2, 2, 2), (3, 3, 3)]).render())
                .decode(PaperScanDTO.self)
            let extra = try await upload(app, sb, try sb.page(form: 0, circles: [(0, 0, 1), (1, 1, 1), (2, 2, 2), (3, 3, 3)]).render())
                .decode(PaperScanDTO.self)
            #expect(kept.state == "read" && extra.state == "read")
            let drop = "\(sb.scans)/\(extra.id)/discard"
            // Who may not drop a page.
            #expect(try await call(app, .POST, drop, token: sb.box.world.token(.reportee)).status == .forbidden)
            #expect(try await call(app, .POST, drop, token: chair).status == .forbidden)
            // A double click: one drop, one 409; the drop is in the audit log.
            async let a = call(app, .POST, drop, token: sb.teller)
            async let b = call(app, .POST, drop, token: scrutineer)
            let replies = try await [a, b]
            #expect(replies.map(\.status.code).sorted() == [200, 409], "\(replies.map(\.text))")
            #expect(try replies.first { $0.status == .ok }!.decode(PaperScanDTO.self).state == "discarded")
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "paper.scan.discard").count() == 1)
            #expect(try await call(app, .POST, "\(sb.scans)/\(UUID())/discard", token: sb.teller).status == .notFound)
            // The count takes the one page left.
            #expect(try await call(app, .PUT, path(sb, "box-counts"), token: sb.teller, json: BoxCountsRequest(counts: [1, 0, 0])).status == .ok)
            _ = try await call(app, .POST, "\(sb.scans)/sample", token: scrutineer)
            #expect(try await call(app, .POST, "\(sb.scans)/\(kept.id)/sample-check", token: scrutineer,
                                   json: ScanMarksRequest(marks: kept.reading, raterGroupID: kept.raterGroupID, formIndex: 0)).status == .ok)
            let counted = try await call(app, .POST, path(sb, "count"), token: chair)
            #expect(counted.status == .ok, "\(counted.text)")
            #expect(try await Ballot.query(on: app.db).filter(\.$medium == "paper").count() == 1)
            // After the count nothing is dropped.
            #expect(try await call(app, .POST, "\(sb.scans)/\(kept.id)/discard", token: sb.teller).status == .conflict)
        }
    }

    // MARK: 4. a second click on 取出一张并编号

    @Test(arguments: TestDatabase.available)
    func aDoubleClickNumbersOneSheetAndAMistakenNumberCanBeWithdrawn(database: TestDatabase) async throws {
        try await withKeying(database) { app, sb, t2, group in
            let sheets = path(sb, "sheets")
            let key = UUID().uuidString
            // A double click: the same key twice at once, then once more (a retry): one sheet, one number.
            async let a = call(app, .POST, sheets, token: sb.teller, json: NumberSheetRequest(raterGroupID: group, formIndex: 0, page: 0, requestKey: key))
            async let b = call(app, .POST, sheets, token: sb.teller, json: NumberSheetRequest(raterGroupID: group, formIndex: 0, page: 0, requestKey: key))
            let replies = try await [a, b]
            #expect(replies.map(\.status.code).sorted() == [200, 201], "\(replies.map(\.text))")
            #expect(try Set(replies.map { try $0.decode(PaperSheetStatusDTO.self).serial }) == [1])
            let retry = try await call(app, .POST, sheets, token: sb.teller, json: NumberSheetRequest(raterGroupID: group, formIndex: 0, page: 0, requestKey: key))
            let retried = try retry.decode(PaperSheetStatusDTO.self).serial
            #expect(retry.status == .ok && retried == 1)
            #expect(try await PaperSheet.query(on: app.db).count() == 1)
            // The same key for another form is a mistake, not a repeat; a malformed key is refused.
            #expect(try await call(app, .POST, sheets, token: sb.teller, json: NumberSheetRequest(raterGroupID: group, formIndex: 1, page: 0, requestKey: key)).status == .conflict)
            #expect(try await call(app, .POST, sheets, token: sb.teller, json: NumberSheetRequest(raterGroupID: group, formIndex: 0, page: 0, requestKey: "x'; --")).status == .unprocessableEntity)
            // A second number given by mistake (a new click) is withdrawn: a teller and the scrutineer at once, one wins.
            let extra = try await call(app, .POST, sheets, token: sb.teller, json: NumberSheetRequest(raterGroupID: group, formIndex: 0, page: 0, requestKey: UUID().uuidString))
            #expect(try extra.decode(PaperSheetStatusDTO.self).serial == 2)
            #expect(try await call(app, .POST, "\(sheets)/2/withdraw", token: sb.box.world.token(.reportee)).status == .forbidden)
            async let w1 = call(app, .POST, "\(sheets)/2/withdraw", token: sb.teller)
            async let w2 = call(app, .POST, "\(sheets)/2/withdraw", token: sb.box.world.token(.scrutineer))
            let withdrawals = try await [w1, w2]
            #expect(withdrawals.map(\.status.code).sorted() == [200, 409], "\(withdrawals.map(\.text))")
            #expect(try withdrawals.first { $0.status == .ok }!.decode(PaperSheetStatusDTO.self).state == "withdrawn")
            #expect(try await call(app, .POST, "\(sheets)/9/withdraw", token: sb.teller).status == .notFound)
            // A withdrawn number is not keyed; a keyed sheet is not withdrawn.
            let marks = String(repeating: "1", count: 66)
            #expect(try await call(app, .POST, "\(sheets)/2/entry", token: sb.teller, json: PaperEntryRequest(marks: marks)).status == .conflict)
            #expect(try await call(app, .POST, "\(sheets)/1/entry", token: sb.teller, json: PaperEntryRequest(marks: marks)).status == .ok)
            #expect(try await call(app, .POST, "\(sheets)/1/withdraw", token: sb.teller).status == .conflict)
            #expect(try await call(app, .POST, "\(sheets)/1/entry", token: t2, json: PaperEntryRequest(marks: marks)).status == .ok)
            // The count takes the true box count, and no phantom void appears.
            #expect(try await call(app, .PUT, path(sb, "box-counts"), token: sb.teller, json: BoxCountsRequest(counts: [1, 0, 0])).status == .ok)
            let counted = try await call(app, .POST, path(sb, "count"), token: sb.box.world.token(.chair))
            #expect(counted.status == .ok, "\(counted.text)")
            let reconciliation = try #require(try await BallotRound.find(sb.box.roundID, on: app.db)?.countedReconciliation())
            #expect(reconciliation.void == 0 && reconciliation.forms?.map(\.returned) == [1, 0, 0])
            #expect(try await Ballot.query(on: app.db).filter(\.$medium == "paper").filter(\.$isVoid == true).count() == 0)
            // After the count nothing is withdrawn.
            let late = try await call(app, .POST, sheets, token: sb.teller, json: NumberSheetRequest(raterGroupID: group, formIndex: 0, page: 0, requestKey: UUID().uuidString))
            #expect(late.status == .conflict)
            #expect(try await call(app, .POST, "\(sheets)/1/withdraw", token: sb.teller).status == .conflict)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "paper.withdraw").count() == 1)
        }
    }

    // MARK: 3. whole sets against the box counts

    @Test(arguments: TestDatabase.available)
    func aWholeSetCountsOnceInEveryFormsBoxCount(database: TestDatabase) async throws {
        try await withKeying(database) { app, sb, t2, group in
            let scrutineer = sb.box.world.token(.scrutineer)
            let forms = PaperScanning.forms(sb.round, campaign: sb.campaign)
            let scan = try await upload(app, sb, try sb.page(form: 0, circles: [(0, 0, 0), (1, 1, 1), (2, 2, 2)]).render()).decode(PaperScanDTO.self)
            // A whole set numbered (no form) and keyed by two tellers.
            let whole = try await call(app, .POST, path(sb, "sheets"), token: sb.teller, json: NumberSheetRequest(raterGroupID: group))
                .decode(PaperSheetStatusDTO.self)
            let marks = String(repeating: "2", count: sb.round.layout.cells.count)
            for token in [sb.teller, t2] {
                #expect(try await call(app, .POST, path(sb, "sheets/\(whole.serial)/entry"), token: token, json: PaperEntryRequest(marks: marks)).status == .ok)
            }
            _ = try await call(app, .POST, "\(sb.scans)/sample", token: scrutineer)
            #expect(try await call(app, .POST, "\(sb.scans)/\(scan.id)/sample-check", token: scrutineer, json: ScanMarksRequest(marks: scan.reading, raterGroupID: scan.raterGroupID, formIndex: scan.formIndex)).status == .ok)
            // Counting only the one-form page of form 0 does not let the whole set slip past the box count.
            #expect(try await call(app, .PUT, path(sb, "box-counts"), token: sb.teller, json: BoxCountsRequest(counts: [1, 0, 0])).status == .ok)
            let refused = try await call(app, .POST, path(sb, "count"), token: sb.box.world.token(.chair))
            #expect(refused.status == .conflict)
            #expect(refused.text.contains("“\(forms[0].form.name)”评议表清点 1 张，已识别和编号录入 2 张"), "\(refused.text)")
            #expect(!refused.text.contains("第 1 种"))
            let overview = try await call(app, .GET, sb.scans, token: sb.teller).decode(PaperScansDTO.self)
            #expect(overview.forms.map(\.keyedByHand) == [1, 1, 1] && overview.forms.map(\.recognized) == [1, 0, 0])
            // The box counted as the tellers hold it: the set's pages in every form.
            #expect(try await call(app, .PUT, path(sb, "box-counts"), token: sb.teller, json: BoxCountsRequest(counts: [2, 1, 1])).status == .ok)
            let counted = try await call(app, .POST, path(sb, "count"), token: sb.box.world.token(.chair))
            #expect(counted.status == .ok, "\(counted.text)")
            let reconciliation = try #require(try await BallotRound.find(sb.box.roundID, on: app.db)?.countedReconciliation())
            #expect(reconciliation.forms?.map(\.returned) == [2, 1, 1])
        }
    }

    // MARK: 5. the scrutineer's labels of a one-form sheet

    @Test(arguments: TestDatabase.available)
    func aOneFormSheetsDifferencesAreLabelledFromItsOwnFormAndPage(database: TestDatabase) async throws {
        try await withKeying(database) { app, sb, t2, group in
            let form = PaperScanning.forms(sb.round, campaign: sb.campaign)[2]
            let numbered = try await call(app, .POST, path(sb, "sheets"), token: sb.teller, json: NumberSheetRequest(raterGroupID: group, formIndex: 2, page: 0))
                .decode(PaperSheetStatusDTO.self)
            // The two tellers differ in row 3, column 1 of the sheet.
            let columns = form.form.columns.count, cells = form.pages[0].count * columns
            let first = String(repeating: "1", count: cells)
            var second = Array(first)
            second[3 * columns + 1] = "2"
            let entry = path(sb, "sheets/\(numbered.serial)/entry")
            #expect(try await call(app, .POST, entry, token: sb.teller, json: PaperEntryRequest(marks: first)).status == .ok)
            #expect(try await call(app, .POST, entry, token: t2, json: PaperEntryRequest(marks: String(second))).decode(PaperSheetStatusDTO.self).state == "mismatch")
            let detail = try await call(app, .GET, path(sb, "sheets/\(numbered.serial)"), token: sb.box.world.token(.scrutineer)).decode(PaperSheetDetailDTO.self)
            let reportee = try #require(try await Reportee.find(UUID(uuidString: form.pages[0][3]), on: app.db))
            #expect(detail.differences.count == 1)
            #expect(detail.differences.first?.cell == 3 * columns + 1)
            #expect(detail.differences.first?.label == "\(reportee.name) · \(form.form.name) · \(form.form.columns[1].name)")
            #expect(Set([detail.differences.first?.first, detail.differences.first?.second]) == ["好", "较好"])
        }
    }

    // MARK: 6. the reconciliation's void and per-form figures

    @Test(arguments: TestDatabase.available)
    func unreadableOneFormSheetsAreVoidAndAnExtraSheetIsInNoFormsCount(database: TestDatabase) async throws {
        try await withKeying(database) { app, sb, t2, group in
            let cells = PaperScanning.forms(sb.round, campaign: sb.campaign)[0].pages[0].count * sb.campaign.forms[0].columns.count
            for unreadable in [true, true, false] {
                let sheet = try await call(app, .POST, path(sb, "sheets"), token: sb.teller, json: NumberSheetRequest(raterGroupID: group, formIndex: 0, page: 0))
                    .decode(PaperSheetStatusDTO.self)
                for token in [sb.teller, t2] {
                    let entry = PaperEntryRequest(marks: unreadable ? "" : String(repeating: "1", count: cells), unreadable: unreadable)
                    #expect(try await call(app, .POST, path(sb, "sheets/\(sheet.serial)/entry"), token: token, json: entry).status == .ok)
                }
            }
            // One sheet found in the box that was never issued (another meeting's form).
            #expect(try await call(app, .POST, path(sb, "extra-sheets"), token: sb.box.world.token(.scrutineer), json: ExtraSheetsRequest(count: 1)).status == .ok)
            #expect(try await call(app, .PUT, path(sb, "box-counts"), token: sb.teller, json: BoxCountsRequest(counts: [3, 0, 0])).status == .ok)
            let counted = try await call(app, .POST, path(sb, "count"), token: sb.box.world.token(.chair))
            #expect(counted.status == .ok, "\(counted.text)")
            let reconciliation = try #require(try await BallotRound.find(sb.box.roundID, on: app.db)?.countedReconciliation())
            #expect(reconciliation.forms?.map(\.returned) == [3, 0, 0])
            #expect(reconciliation.forms?.map(\.void) == [2, 0, 0])
            #expect(reconciliation.sheets == IssuedReturned(issued: 4, returned: 4))
            #expect(reconciliation.void == 3 && reconciliation.valid == 1, "\(reconciliation)")
            #expect(!reconciliation.isVoid)
        }
    }

    // MARK: 8. the sample's wording and a held second scan's note

    @Test(arguments: TestDatabase.available)
    func theSampleSaysOnlyWhatWasCheckedAndAHeldScanNamesThePageItRepeats(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let sb = try await sealed(app)
            let scrutineer = sb.box.world.token(.scrutineer)
            var pages: [PaperScanDTO] = []
            for grade in 0..<3 {
                let page = try sb.page(form: 0, circles: [(0, 0, grade), (4, 1, 1), (8, 2, 2)])
                pages.append(try await upload(app, sb, page.render()).decode(PaperScanDTO.self))
            }
            let again = try await upload(app, sb, try sb.page(form: 0, circles: [(0, 0, 0), (4, 1, 1), (8, 2, 2)]).render(angle: 0.012))
                .decode(PaperScanDTO.self)
            #expect(again.state == "possible_duplicate")
            let held = try await call(app, .GET, "\(sb.scans)/\(again.id)", token: scrutineer).decode(PaperScanDTO.self)
            #expect(held.duplicateNote?.contains("可能是页 \(pages[0].ref)") == true, "\(held.duplicateNote ?? "-")")
            let listed = try await call(app, .GET, sb.scans, token: sb.teller).decode(PaperScansDTO.self)
            #expect(Set(listed.scans.map(\.ref)) == Set((pages + [again]).map(\.ref)))
            #expect(try await call(app, .POST, "\(sb.scans)/\(again.id)/ruling", token: scrutineer, json: ScanMarksRequest(keep: false)).status == .ok)
            // Drawn, nothing checked yet: no agreement is claimed, and the dropped page is not among those read.
            let drawn = try await call(app, .POST, "\(sb.scans)/sample", token: scrutineer).decode(PaperScansDTO.self)
            let before = try #require(drawn.sample?.summary)
            #expect(before.contains("扫描识别 3 页") && before.contains("剔除") && before.contains("尚未核对"), "\(before)")
            #expect(!before.contains("一致"), "\(before)")
            let first = try #require(drawn.scans.first { $0.sampled })
            let reading = try #require(pages.first { $0.id == first.id }?.reading)
            #expect(try await call(app, .POST, "\(sb.scans)/\(first.id)/sample-check", token: scrutineer,
                                   json: ScanMarksRequest(marks: reading, raterGroupID: first.raterGroupID, formIndex: 0)).status == .ok)
            let partly = try #require(try await call(app, .GET, sb.scans, token: sb.teller).decode(PaperScansDTO.self).sample?.summary)
            #expect(partly.contains("核对 1 页") && partly.contains("还有 2 页未核对") && !partly.contains("全部"), "\(partly)")
        }
    }

    // MARK: 7. one 收回

    @Test(arguments: TestDatabase.available)
    func consoleProjectorAndResultsShowOneReturnedFigure(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // Four present attendees get phone codes; the first group also gets three paper sets. Two phones vote.
            let sb = try await sealed(app, before: { box in
                let check = try await spec(app, box, code: box.codes[0])
                for code in box.codes.prefix(2) { #expect(try await vote(app, code: code, marks: fullMarks(check)).status == .ok) }
                // While voting: the bar is phone ballots of phone codes; paper is handed out, not "not yet returned".
                let voting = try #require(try await call(app, .GET, "api/v1/live/\(box.meeting.projectorPath.dropFirst(3))").decode(LiveStateDTO.self).round)
                #expect(voting.issuedCodes == 4 && voting.receivedPhone == 2 && voting.issuedSheets == 3 && voting.received == 2, "\(voting)")
                #expect(voting.groups.first?.paperIssued == 3 && voting.groups.reduce(0) { $0 + $1.issued } == 4)
            }, request: { groups in RoundOpenRequest(codes: nil, paperSheets: [groups[0].id!.uuidString: 3]) })
            let world = sb.box.world, campaign = "api/v1/campaigns/\(world.campaignID)"
            let token = String(sb.box.meeting.projectorPath.dropFirst(3))
            // One voter's paper set scanned (one page of each form), sampled, counted.
            var scans: [PaperScanDTO] = []
            for form in 0..<3 { scans.append(try await upload(app, sb, try sb.page(form: form, circles: [(0, 0, form)]).render()).decode(PaperScanDTO.self)) }
            let scrutineer = world.token(.scrutineer)
            _ = try await call(app, .POST, "\(sb.scans)/sample", token: scrutineer)
            for scan in scans {
                #expect(try await call(app, .POST, "\(sb.scans)/\(scan.id)/sample-check", token: scrutineer, json: ScanMarksRequest(marks: scan.reading, raterGroupID: scan.raterGroupID, formIndex: scan.formIndex)).status == .ok)
            }
            #expect(try await call(app, .PUT, path(sb, "box-counts"), token: sb.teller, json: BoxCountsRequest(counts: [1, 1, 1])).status == .ok)
            let counted = try await call(app, .POST, path(sb, "count"), token: world.token(.chair)).decode(RoundDTO.self)
            let returned = try #require(counted.reconciliation?.returned)
            #expect(returned == 3)
            // The console (the round), the projector and the results say the same.
            #expect(counted.received == returned)
            let listed = try await call(app, .GET, "\(campaign)/rounds", token: world.token(.chair)).decode([RoundDTO].self)
            #expect(listed.last?.received == returned)
            let live = try #require(try await call(app, .GET, "api/v1/live/\(token)").decode(LiveStateDTO.self).round)
            #expect(live.received == returned)
            let results = try await call(app, .GET, "\(campaign)/results", token: world.token(.districtAdmin)).decode(ResultsDTO.self)
            #expect(results.reconciliation?.returned == returned && results.reconciliation?.valid == 3)
        }
    }

    // MARK: 9. the group printed on the sheet, confirmed in the sample

    @Test(arguments: TestDatabase.available)
    func theSampleCheckConfirmsTheGroupPrintedInWordsAndCatchesAMovedSheet(database: TestDatabase) async throws {
        try await withApp(database) { app in
            // Paper for two rater groups.
            let sb = try await sealed(app, request: { groups in
                RoundOpenRequest(codes: [:], paperSheets: [groups[0].id!.uuidString: 3, groups[1].id!.uuidString: 3])
            })
            let world = sb.box.world, opened = sb.box.opened
            let groups = try await RaterGroup.query(on: app.db).filter(\.$campaign.$id == world.campaign.id!).sort(\.$position).all()
            let (first, second) = (opened.paperForms[0], opened.paperForms[1])
            // A sheet of the first group whose code squares were redrawn to say the second; and a sheet left alone.
            let moved = try await upload(app, sb, try sb.page(form: 0, circles: [(0, 0, 0)], group: 1).render()).decode(PaperScanDTO.self)
            let honest = try await upload(app, sb, try sb.page(form: 1, circles: [(0, 0, 3)], group: 0).render()).decode(PaperScanDTO.self)
            #expect(moved.raterGroupID == second.raterGroupID && moved.raterGroup == second.raterGroup)
            let scrutineer = world.token(.scrutineer)
            let sample = try await call(app, .POST, "\(sb.scans)/sample", token: scrutineer).decode(PaperScansDTO.self)
            #expect(sample.scans.allSatisfy { $0.sampled })
            let check = { (scan: PaperScanDTO, group: UUID?, form: Int?) in
                try await call(app, .POST, "\(sb.scans)/\(scan.id)/sample-check", token: scrutineer,
                               json: ScanMarksRequest(marks: scan.reading, raterGroupID: group, formIndex: form))
            }
            // The group and form printed in words must be given; a group given no paper and another form are refused.
            #expect(try await check(moved, nil, nil).status == .unprocessableEntity)
            #expect(try await check(moved, first.raterGroupID, nil).status == .unprocessableEntity)
            #expect(try await check(moved, groups[2].id!, 0).status == .unprocessableEntity)
            #expect(try await check(moved, first.raterGroupID, 2).status == .conflict)
            // The scrutineer reads 区领导 on the sheet: the page goes back to its printed group, as a correction.
            let corrected = try await check(moved, first.raterGroupID, 0)
            #expect(corrected.status == .ok, "\(corrected.text)")
            #expect(try corrected.decode(PaperScanDTO.self).raterGroupID == first.raterGroupID)
            #expect(try await check(honest, first.raterGroupID, 1).status == .ok)
            #expect(try await check(honest, first.raterGroupID, 1).status == .conflict)
            let overview = try await call(app, .GET, sb.scans, token: sb.teller).decode(PaperScansDTO.self)
            #expect(overview.sample?.corrected == 1 && overview.sample?.checked == 2)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "paper.sample.check").all().contains { $0.summary.contains("评议人类别") })
            // Counted: both ballots are in the first group.
            #expect(try await call(app, .PUT, path(sb, "box-counts"), token: sb.teller, json: BoxCountsRequest(counts: [1, 1, 0])).status == .ok)
            let counted = try await call(app, .POST, path(sb, "count"), token: world.token(.chair))
            #expect(counted.status == .ok, "\(counted.text)")
            let ballots = try await Ballot.query(on: app.db).filter(\.$medium == "paper").all()
            #expect(ballots.count == 2 && ballots.allSatisfy { $0.raterGroupID == first.raterGroupID })
        }
    }

    // MARK: 10. a page whose code cannot be read, named by a teller

    @Test(arguments: TestDatabase.available)
    func aPageWhoseCodeCannotBeReadIsReadAsThePageATellerNames(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let sb = try await sealed(app)
            let page = try sb.page(form: 1, circles: [(0, 0, 0), (2, 1, 3)])
            let image = page.renderSmudgingCode(bits: 0..<6)
            func send(_ query: String) async throws -> Reply {
                try await call(app, .POST, "\(sb.scans)?width=\(image.width)&height=\(image.height)\(query)", token: sb.teller,
                               raw: Data(storedDeflate(image.pixels)))
            }
            // Without a name: a 422 that says the code is unreadable and that the page can be named.
            let refused = try await send("")
            #expect(refused.status == .unprocessableEntity && refused.text.contains("unreadable_code"), "\(refused.text)")
            #expect(refused.text.contains("指定"))
            // Bad names: a group given no paper, an unknown form or page, a form without a group.
            for query in ["&group=3&form=1", "&group=0&form=9", "&group=0&form=1&page=4", "&form=1", "&group=-1&form=1"] {
                let reply = try await send(query)
                #expect(reply.status == .unprocessableEntity, "\(query): \(reply.text)")
            }
            // A name the readable squares contradict (another form) is refused.
            let actual = try PaperScanning.code(campaign: sb.campaign, round: sb.round, group: 0, form: 1, page: 0).bits
            let wrong = try [0, 2].max { a, b in
                try zip(PaperScanning.code(campaign: sb.campaign, round: sb.round, group: 0, form: a, page: 0).bits, actual).dropFirst(6).filter { $0 != $1 }.count
                    < zip(PaperScanning.code(campaign: sb.campaign, round: sb.round, group: 0, form: b, page: 0).bits, actual).dropFirst(6).filter { $0 != $1 }.count
            }!
            let contradicted = try await send("&group=0&form=\(wrong)&page=0")
            #expect(contradicted.status == .unprocessableEntity && contradicted.text.contains("不符"), "\(contradicted.text)")
            #expect(try await PaperScan.query(on: app.db).count() == 0)
            // Named as printed: read as that page.
            let named = try await send("&group=0&form=1&page=0")
            #expect(named.status == .created, "\(named.text)")
            let scan = try named.decode(PaperScanDTO.self)
            #expect(scan.formIndex == 1 && scan.raterGroupID == sb.box.opened.paperForms[0].raterGroupID && scan.state == "read")
            #expect(scan.reading.hasPrefix("1000000") && scan.reading.dropFirst(12).hasPrefix("04"))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "paper.scan").all().contains { $0.summary.contains("计票人指定") })
            // A page whose code reads is not renamed.
            let clear = try sb.page(form: 0, circles: [(1, 1, 1)]).render()
            let renamed = try await call(app, .POST, "\(sb.scans)?width=\(clear.width)&height=\(clear.height)&group=0&form=2", token: sb.teller,
                                         raw: Data(storedDeflate(clear.pixels)))
            #expect(renamed.status == .unprocessableEntity && renamed.text.contains("可以识别"), "\(renamed.text)")
        }
    }
}
