@testable import App
import Fluent
import Foundation
import Logging
import PingyiCore
import SQLKit
import Testing
import Vapor

@Suite("The ballot box")
struct BallotTests: BallotBoxHelpers {
    @Test(arguments: TestDatabase.available)
    func codesGoToCheckedInAttendeesOnlyAndExistOnlyAsHashes(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let box = try await openBox(app, present: 7)
            #expect(box.opened.codes.count == 7 && box.opened.round.issued == 7)
            #expect(box.opened.codes.allSatisfy { $0.code.count == 19 && $0.url.contains("/v#") && $0.qrSVG.hasPrefix("<svg") })
            let stored = try await BallotCode.query(on: app.db).all()
            #expect(stored.count == 7)
            for code in box.codes {
                let plain = VotingCode.normalize(code)!
                #expect(!stored.contains { $0.codeHash.contains(plain) })
                #expect(stored.contains { $0.codeHash == codeHash(plain) })
            }
            // the first 7 attendees are all 区领导 (6) and one 部门负责人
            let groups = Dictionary(grouping: box.opened.codes, by: \.raterGroup).mapValues(\.count)
            #expect(groups == ["区领导": 6, "部门负责人": 1])
        }
    }

    @Test(arguments: TestDatabase.available)
    func aPhoneVotesOnceAndGetsAReceipt(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let box = try await openBox(app)
            let check = try await spec(app, box, code: box.codes[0].lowercased())
            #expect(check.reportees.count == 11 && check.forms.count == 3 && check.raterGroup == "区领导" && !check.used)
            let submission = UUID().uuidString
            let first = try await vote(app, code: box.codes[0], submission: submission, marks: fullMarks(check))
            #expect(first.status == .ok, "\(first.text)")
            let receipt = try first.decode(VoteReceiptDTO.self)
            #expect(!receipt.alreadyRecorded && receipt.receipt.count == 12)
            // the same phone retrying (a lost answer) gets the same receipt; nothing is stored twice
            let retry = try await vote(app, code: box.codes[0], submission: submission, marks: fullMarks(check)).decode(VoteReceiptDTO.self)
            #expect(retry.alreadyRecorded && retry.receipt == receipt.receipt)
            // anyone else with the code is refused
            try expectError(try await vote(app, code: box.codes[0], marks: fullMarks(check, "poor")), .conflict, code: "code_used")
            #expect(try await Ballot.query(on: app.db).count() == 1)
            #expect(try await BallotReceipt.query(on: app.db).count() == 1)
            #expect(try await spec(app, box, code: box.codes[0]).used)
            let stored = try await Ballot.query(on: app.db).first()!
            #expect(stored.marks == String(repeating: "1", count: 198) && stored.medium == "electronic")
        }
    }

    @Test func everyBadBallotIsRefusedAndConsumesNothing() async throws {
        try await withApp(.sqlite) { app in
            let box = try await openBox(app)
            let check = try await spec(app, box, code: box.codes[0])
            var marks = fullMarks(check)
            let reportee = marks[0].reportee
            let bad: [([RawMark], String)] = [
                ([RawMark(reportee: UUID().uuidString, form: "integrity", column: "overall", grade: "good")], "述职对象不存在"),
                ([RawMark(reportee: reportee, form: "finance", column: "overall", grade: "good")], "评议表不存在"),
                ([RawMark(reportee: reportee, form: "integrity", column: "item9", grade: "good")], "没有栏目"),
                ([RawMark(reportee: reportee, form: "integrity", column: "overall", grade: "excellent")], "等次无效"),
                ([RawMark(reportee: reportee, form: "integrity", column: "overall", grade: "good"),
                  RawMark(reportee: reportee, form: "integrity", column: "overall", grade: "poor")], "只能选一项"),
            ]
            for (body, reason) in bad {
                let reply = try await vote(app, code: box.codes[0], marks: body)
                try expectError(reply, .unprocessableEntity, code: "invalid_ballot")
                #expect(reply.text.contains(reason), "\(reply.text)")
            }
            marks[0].grade = "好"
            let raw: [(String, HTTPStatus)] = [
                ("{not json", .badRequest),
                (#"{"code": "\#(box.codes[0])", "marks": []}"#, .badRequest),
                (#"{"code": "\#(box.codes[0])", "submissionID": "abcdefgh1234", "marks": [], "voter": "张三"}"#, .badRequest),
                (#"{"code": "\#(box.codes[0])", "submissionID": "abcdefgh1234", "marks": [{"reportee": "x", "form": "y", "column": "z", "grade": "good", "ip": 1}]}"#, .badRequest),
                (#"{"code": 12345, "submissionID": "abcdefgh1234", "marks": []}"#, .badRequest),
                (#"{"code": "\#(box.codes[0])", "submissionID": "short", "marks": []}"#, .badRequest),
            ]
            for (body, status) in raw {
                let reply = try await call(app, .POST, "api/v1/vote", raw: Data(body.utf8), headers: ["Content-Type": "application/json"])
                try expectError(reply, status)
            }
            try expectError(try await vote(app, code: "ZZZZ-ZZZZ-ZZZZ-ZZZZ", marks: marks), .notFound, code: "unknown_code")
            try expectError(try await vote(app, code: "太短", marks: marks), .notFound, code: "unknown_code")
            #expect(try await Ballot.query(on: app.db).count() == 0)
            #expect(try await BallotCode.query(on: app.db).filter(\.$used == true).count() == 0)
            // the code still works after all that
            #expect(try await vote(app, code: box.codes[0], marks: marks).status == .ok)
        }
    }

    @Test func theVotingPagesCompactBallotIsStoredLikeTheListOfMarks() async throws {
        try await withApp(.sqlite) { app in
            let box = try await openBox(app)
            let check = try await spec(app, box, code: box.codes[0])
            var compact: [String: [String: String]] = [:]
            for reportee in check.reportees {
                for form in check.forms { compact[reportee.id.uuidString, default: [:]][form.id] = String(repeating: "2", count: form.columns.count) }
            }
            let first = try await call(app, .POST, "api/v1/vote", json: VoteRequest(code: box.codes[0], submissionID: UUID().uuidString, ballot: compact))
            #expect(first.status == .ok, "\(first.text)")
            _ = try await vote(app, code: box.codes[1], marks: fullMarks(check, "fairly_good"))
            let stored = try await Ballot.query(on: app.db).all().map(\.marks)
            #expect(stored.count == 2 && Set(stored) == [String(repeating: "2", count: 198)])
            // neither or both forms, a wrong column count
            let r0 = check.reportees[0].id.uuidString
            try expectError(try await call(app, .POST, "api/v1/vote", json: VoteRequest(code: box.codes[2], submissionID: UUID().uuidString)), .badRequest)
            try expectError(try await call(app, .POST, "api/v1/vote", json: VoteRequest(code: box.codes[2], submissionID: UUID().uuidString,
                                                                                          marks: [], ballot: [:])), .badRequest)
            try expectError(try await call(app, .POST, "api/v1/vote", json: VoteRequest(code: box.codes[2], submissionID: UUID().uuidString,
                                                                                          ballot: [r0: ["integrity": "12"]])), .unprocessableEntity)
            #expect(try await Ballot.query(on: app.db).count() == 2)
        }
    }

    @Test(arguments: TestDatabase.available)
    func ofAHundredConcurrentSubmissionsOfOneCodeExactlyOneWins(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let box = try await openBox(app)
            let check = try await spec(app, box, code: box.codes[0])
            let marks = fullMarks(check, "fairly_good")
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<100 {
                    group.addTask { try await vote(app, code: box.codes[0], marks: marks).status }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1)
            #expect(statuses.filter { $0 == .conflict }.count == 99)
            #expect(try await Ballot.query(on: app.db).count() == 1)
            #expect(try await BallotReceipt.query(on: app.db).count() == 1)
        }
    }

    @Test func sealingClosesTheBoxAndCountingReconciles() async throws {
        try await withApp(.sqlite) { app in
            let box = try await openBox(app, present: 5)
            let check = try await spec(app, box, code: box.codes[0])
            for code in box.codes.prefix(4) { #expect(try await vote(app, code: code, marks: fullMarks(check)).status == .ok) }
            // another round cannot start while this one is open
            try expectError(try await call(app, .POST, "api/v1/campaigns/\(box.world.campaignID)/rounds", token: box.world.token(.chair),
                                            json: RoundOpenRequest()), .conflict)
            // tellers do not seal; counting needs a sealed box
            try expectError(try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: box.world.token(.teller)), .forbidden)
            try expectError(try await call(app, .POST, "\(box.base)/\(box.roundID)/count", token: box.world.token(.chair)), .conflict)
            let sealed = try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: box.world.token(.chair)).decode(RoundDTO.self)
            #expect(sealed.state == "sealed" && sealed.received == 4)
            let late = try await vote(app, code: box.codes[4], marks: fullMarks(check))
            try expectError(late, .conflict, code: "round_closed")
            #expect(!late.text.contains("已已") && late.text.contains("已封箱"), "\(late.text)")
            let counted = try await call(app, .POST, "\(box.base)/\(box.roundID)/count", token: box.world.token(.chair)).decode(RoundDTO.self)
            #expect(counted.state == "counted")
            #expect(counted.reconciliation == ReconciliationDTO(RoundReconciliation(codes: IssuedReturned(issued: 5, returned: 4), sheets: IssuedReturned(issued: 0, returned: 0), valid: 4, void: 0)))
            // receipts: public once sealed, sorted, four of them, no content
            let receipts = try await call(app, .GET, "api/v1/rounds/\(box.roundID)/receipts").decode(ReceiptListDTO.self)
            #expect(receipts.receipts.count == 4 && receipts.receipts == receipts.receipts.sorted())
            // a valid count is final: no new round (issue 22; a void round is repeated, see RoundAfterCountTests)
            try expectError(try await call(app, .POST, "api/v1/campaigns/\(box.world.campaignID)/rounds", token: box.world.token(.chair),
                                           json: RoundOpenRequest()), .conflict, code: "wrong_state")
        }
    }

    @Test func moreReturnedThanIssuedVoidsTheRoundWhichIsKept() async throws {
        try await withApp(.sqlite) { app in
            let box = try await openBox(app, present: 3)
            let check = try await spec(app, box, code: box.codes[0])
            for code in box.codes { _ = try await vote(app, code: code, marks: fullMarks(check)) }
            _ = try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: box.world.token(.chair))
            #expect(try await call(app, .POST, "\(box.base)/\(box.roundID)/extra-sheets", token: box.world.token(.scrutineer),
                                   json: ["count": 1]).status == .ok)
            let counted = try await call(app, .POST, "\(box.base)/\(box.roundID)/count", token: box.world.token(.chair)).decode(RoundDTO.self)
            #expect(counted.state == "void")
            #expect(counted.reconciliation?.verdict == "void" && counted.reconciliation?.returned == 4)
            let next = try await call(app, .POST, "api/v1/campaigns/\(box.world.campaignID)/rounds", token: box.world.token(.chair),
                                      json: RoundOpenRequest()).decode(RoundOpenedDTO.self)
            #expect(next.round.number == 2)
            let rounds = try await call(app, .GET, "api/v1/campaigns/\(box.world.campaignID)/rounds", token: box.world.token(.chair)).decode([RoundDTO].self)
            #expect(rounds.map(\.state) == ["void", "open"])
            #expect(try await Ballot.query(on: app.db).filter(\.$roundID == box.roundID).count() == 3)
        }
    }

    @Test(arguments: TestDatabase.available)
    func paperSheetsAreKeyedTwiceAndDisagreementsGoToTheScrutineer(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let box = try await openBox(app, present: 0, paperSheetsOfFirstGroup: 5)
            // printed forms are identical: the round gives a count per rater group, no number per sheet
            #expect(box.opened.paperForms.map(\.count) == [5] && box.opened.paperForms[0].raterGroup == "区领导")
            #expect(box.opened.codes.isEmpty && box.opened.round.issued == 5)
            #expect(try await PaperSheet.query(on: app.db).count() == 0)
            try await makeUser(app, username: "teller2", role: .teller, orgUnitID: box.world.district.id)
            let t2 = try await login(app, "teller2")
            let sheets = "\(box.base)/\(box.roundID)/sheets"
            let cells = 198
            let agreed = String(repeating: "1", count: cells - 2) + "X0"
            // not before the seal
            try expectError(try await call(app, .POST, "\(sheets)/1/entry", token: box.world.token(.teller), json: PaperEntryRequest(marks: agreed)), .conflict)
            try expectError(try await call(app, .POST, "\(box.base)/\(box.roundID)/sheets", token: box.world.token(.teller),
                                            json: NumberSheetRequest(raterGroupID: box.opened.paperForms[0].raterGroupID)), .conflict)
            _ = try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: box.world.token(.chair))
            // tellers number the sheets as they take them out of the box
            try await numberSheets(app, box, count: 4)
            // sheet 1: both tellers agree
            #expect(try await call(app, .POST, "\(sheets)/1/entry", token: box.world.token(.teller), json: PaperEntryRequest(marks: agreed)).status == .ok)
            try expectError(try await call(app, .POST, "\(sheets)/1/entry", token: box.world.token(.teller), json: PaperEntryRequest(marks: agreed)), .conflict)
            let second = try await call(app, .POST, "\(sheets)/1/entry", token: t2, json: PaperEntryRequest(marks: agreed.lowercased())).decode(PaperSheetStatusDTO.self)
            #expect(second.state == "confirmed")
            // sheet 2: they disagree on one cell
            _ = try await call(app, .POST, "\(sheets)/2/entry", token: box.world.token(.teller), json: PaperEntryRequest(marks: String(repeating: "2", count: cells)))
            let differ = try await call(app, .POST, "\(sheets)/2/entry", token: t2,
                                        json: PaperEntryRequest(marks: "3" + String(repeating: "2", count: cells - 1))).decode(PaperSheetStatusDTO.self)
            #expect(differ.state == "mismatch")
            let detail = try await call(app, .GET, "\(sheets)/2", token: box.world.token(.scrutineer)).decode(PaperSheetDetailDTO.self)
            #expect(detail.differences.count == 1)
            #expect(Set([detail.differences[0].first, detail.differences[0].second]) == ["较好", "一般"])
            #expect(detail.differences[0].label.contains("王建华") && detail.differences[0].label.contains("总体评价"))
            try expectError(try await call(app, .POST, "\(box.base)/\(box.roundID)/count", token: box.world.token(.chair)), .conflict)
            try expectError(try await call(app, .POST, "\(sheets)/2/decision", token: box.world.token(.teller),
                                            json: PaperEntryRequest(marks: String(repeating: "2", count: cells))), .forbidden)
            #expect(try await call(app, .POST, "\(sheets)/2/decision", token: box.world.token(.scrutineer),
                                   json: PaperEntryRequest(marks: String(repeating: "2", count: cells))).status == .ok)
            // sheet 3: unreadable, both say so
            _ = try await call(app, .POST, "\(sheets)/3/entry", token: box.world.token(.teller), json: PaperEntryRequest(marks: "", unreadable: true))
            _ = try await call(app, .POST, "\(sheets)/3/entry", token: t2, json: PaperEntryRequest(marks: "ignored", unreadable: true))
            // refusals: wrong length, wrong symbol, unknown serial, a non-teller
            try expectError(try await call(app, .POST, "\(sheets)/4/entry", token: box.world.token(.teller), json: PaperEntryRequest(marks: "12")), .unprocessableEntity)
            try expectError(try await call(app, .POST, "\(sheets)/4/entry", token: box.world.token(.teller),
                                            json: PaperEntryRequest(marks: String(repeating: "7", count: cells))), .unprocessableEntity)
            try expectError(try await call(app, .POST, "\(sheets)/99/entry", token: box.world.token(.teller), json: PaperEntryRequest(marks: agreed)), .notFound)
            try expectError(try await call(app, .POST, "\(sheets)/4/entry", token: box.world.token(.chair), json: PaperEntryRequest(marks: agreed)), .forbidden)
            // sheet 4 was numbered but never keyed: no count until it is
            try expectError(try await call(app, .POST, "\(box.base)/\(box.roundID)/count", token: box.world.token(.chair)), .conflict)
            _ = try await call(app, .POST, "\(sheets)/4/entry", token: box.world.token(.teller), json: PaperEntryRequest(marks: "", unreadable: true))
            _ = try await call(app, .POST, "\(sheets)/4/entry", token: t2, json: PaperEntryRequest(marks: "", unreadable: true))
            #expect(try await PaperEntry.query(on: app.db).count() == 8)
            let counted = try await call(app, .POST, "\(box.base)/\(box.roundID)/count", token: box.world.token(.chair)).decode(RoundDTO.self)
            // Whole sets (a round keyed the old way) count on every form.
            var expected = RoundReconciliation(codes: IssuedReturned(issued: 0, returned: 0), sheets: IssuedReturned(issued: 5, returned: 4), valid: 2, void: 2)
            expected.forms = box.world.campaign.forms.map { FormSheets(formID: $0.id, formName: $0.name, issued: 5, returned: 4, void: 2) }
            #expect(counted.reconciliation == ReconciliationDTO(expected))
            // the tellers' keyed readings are erased with the count; the ballots remain
            #expect(try await PaperEntry.query(on: app.db).count() == 0)
            let ballots = try await Ballot.query(on: app.db).all()
            #expect(ballots.filter { $0.medium == "paper" }.count == 4)
            #expect(ballots.contains { $0.marks == agreed.uppercased() })
        }
    }

    /// Three ballots worked out by hand for 王建华's party-building overall column; the published numbers match.
    @Test(arguments: TestDatabase.available)
    func resultsAreTheHandCountOfTheCountedRound(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let box = try await openBox(app, present: 3) // three 区领导 codes
            let check = try await spec(app, box, code: box.codes[0])
            let wang = check.reportees[0].id.uuidString
            let columns = check.forms[0].columns.count
            // 好, 好, 一般 on every party-building column of 王建华; nothing else anywhere.
            for (code, digit) in zip(box.codes, ["1", "1", "3"]) {
                let reply = try await call(app, .POST, "api/v1/vote", json: VoteRequest(code: code, submissionID: UUID().uuidString,
                                                                                     ballot: [wang: ["party_building": String(repeating: digit, count: columns)]]))
                #expect(reply.status == .ok)
            }
            try expectError(try await call(app, .GET, "api/v1/campaigns/\(box.world.campaignID)/results", token: box.world.token(.districtAdmin)), .conflict)
            _ = try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: box.world.token(.chair))
            _ = try await call(app, .POST, "\(box.base)/\(box.roundID)/count", token: box.world.token(.chair))
            try expectError(try await call(app, .GET, "api/v1/campaigns/\(box.world.campaignID)/results", token: box.world.token(.chair)), .forbidden)
            let results = try await call(app, .GET, "api/v1/campaigns/\(box.world.campaignID)/results", token: box.world.token(.districtAdmin))
                .decode(ResultsDTO.self)
            #expect(results.roundNumber == 1 && results.reconciliation == ReconciliationDTO(RoundReconciliation(codes: IssuedReturned(issued: 3, returned: 3), sheets: IssuedReturned(issued: 0, returned: 0), valid: 3, void: 0)))
            let first = try #require(results.reportees.first { $0.reporteeID == wang })
            let overall = first.forms[0].columns[0]
            #expect(overall.counts.good == 2 && overall.counts.average == 1 && overall.counts.valid == 3 && overall.counts.abstentions == 0)
            #expect(abs((overall.meanPoints ?? 0) - 260.0 / 3) < 1e-9)      // (100 + 100 + 60) / 3
            #expect(abs((overall.goodRate ?? 0) - 2.0 / 3) < 1e-9)
            #expect(abs((first.composite ?? 0) - 260.0 / 3) < 1e-9)         // only one form has votes
            #expect(first.rank == 1 && first.grade == "fairly_good")          // 86.7: 较好 band, and 1/3 一般 is not more than a third
            #expect(overall.byGroup.map(\.raterGroup) == ["区领导", "部门负责人", "党代表·群众代表"] && overall.byGroup[1].counts.valid == 0)
            let others = results.reportees.filter { $0.reporteeID != wang }
            #expect(others.allSatisfy { $0.composite == nil && $0.rank == nil && $0.forms[0].columns[0].counts.abstentions == 3 })
        }
    }

    @Test func theProjectorSeesCountsNeverResults() async throws {
        try await withApp(.sqlite) { app in
            let box = try await openBox(app, present: 4)
            let check = try await spec(app, box, code: box.codes[0])
            _ = try await vote(app, code: box.codes[0], marks: fullMarks(check, "poor"))
            let token = String(box.meeting.projectorPath.dropFirst(3))
            let state = try await call(app, .GET, "api/v1/live/\(token)")
            let live = try state.decode(LiveStateDTO.self)
            #expect(live.round?.issued == 4 && live.round?.received == 1 && live.round?.state == "open")
            #expect(live.agenda[live.currentItem].kind == .evaluation)
            #expect(!state.text.contains("poor") && !state.text.contains("\"差\""))
        }
    }

    /// Nothing in the schema can tie a ballot to a voter, a code, a session or a moment.
    @Test(arguments: TestDatabase.available)
    func theSchemaHoldsNothingThatLinksABallotToAVoterOrItsArrival(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let sql = app.db as! any SQLDatabase
            let columns: [String]
            if sql.dialect.name == "sqlite" {
                struct Column: Decodable { var name: String }
                columns = try await sql.raw("PRAGMA table_info(\(ident: "ballots"))").all(decoding: Column.self).map(\.name)
                struct Info: Decodable { var sql: String }
                let ddl = try await sql.raw("SELECT sql FROM sqlite_master WHERE name = 'ballots'").first(decoding: Info.self)?.sql ?? ""
                #expect(ddl.contains("WITHOUT ROWID"))
            } else {
                struct Column: Decodable { var column_name: String }
                columns = try await sql.raw("SELECT column_name FROM information_schema.columns WHERE table_name = 'ballots' AND table_schema = current_schema()")
                    .all(decoding: Column.self).map(\.column_name)
            }
            #expect(Set(columns) == ["id", "round_id", "rater_group_id", "medium", "is_void", "marks"])
            for forbidden in ["time", "created", "ip", "session", "code", "user", "participant", "seq"] {
                #expect(!columns.contains { $0.contains(forbidden) }, "ballots.\(forbidden)")
            }
        }
    }

    /// Finding 11: X-Forwarded-For was believed from anyone: spoofing it sent 60 wrong codes unchecked, and codes sent
    /// "from" another address locked that address out.
    @Test func forwardingHeadersCountOnlyFromTrustedProxies() async throws {
        try await withApp(.sqlite) { app in
            let wrong = VoteCheckRequest(code: "ZZZZ-ZZZZ-ZZZZ-ZZZZ")
            for i in 0..<CodeAttemptLimiter.maxFailures {
                let reply = try await callOverNetwork(app, .POST, "api/v1/vote/check", json: wrong, headers: ["X-Forwarded-For": "10.9.0.\(i)"])
                #expect(reply.status == .notFound)
            }
            // nobody trusted: every guess was this client's own, whatever the header said
            try expectError(try await callOverNetwork(app, .POST, "api/v1/vote/check", json: wrong, headers: ["X-Forwarded-For": "10.9.1.1"]),
                            .tooManyRequests, code: "too_many_attempts")
            // behind a trusted proxy, the forwarded address is the client: one voter's guesses do not stop another
            let proxied = try await Application.make(.testing)
            try await configure(proxied, database: .sqliteMemory)
            try await prepareDatabase(proxied)
            proxied.trustedProxies = ["127.0.0.1"]
            for _ in 0..<CodeAttemptLimiter.maxFailures {
                _ = try await callOverNetwork(proxied, .POST, "api/v1/vote/check", json: wrong, headers: ["X-Forwarded-For": "10.9.0.1"])
            }
            let blocked = try await callOverNetwork(proxied, .POST, "api/v1/vote/check", json: wrong, headers: ["X-Forwarded-For": "10.9.0.1"])
            let other = try await callOverNetwork(proxied, .POST, "api/v1/vote/check", json: wrong, headers: ["X-Forwarded-For": "10.9.0.2"])
            try await proxied.asyncShutdown()
            try expectError(blocked, .tooManyRequests)
            try expectError(other, .notFound, code: "unknown_code")
        }
    }

    @Test func wrongCodesFromOneClientAreSlowedDown() async throws {
        let limiter = CodeAttemptLimiter()
        let now = Date()
        for i in 0..<CodeAttemptLimiter.maxFailures { await limiter.fail("10.0.0.9", at: now.addingTimeInterval(Double(i))) }
        #expect(await limiter.blocked("10.0.0.9", at: now.addingTimeInterval(10)) != nil)
        #expect(await limiter.blocked("10.0.0.8", at: now.addingTimeInterval(10)) == nil)
        #expect(await limiter.blocked("10.0.0.9", at: now.addingTimeInterval(61)) == nil)
    }
}

