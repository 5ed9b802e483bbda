@testable import App
import Fluent
import Foundation
import PingyiCore
import SQLKit
import Testing
import Vapor

/// The attack review's findings on "counted once": each reproduced at the route where it was found.
@Suite("The ballot box keeps its promises")
struct BallotBoxPromiseTests: BallotBoxHelpers {
    /// Concurrent requests, each answered by its status.
    func paperBallots(_ app: Application) async throws -> Int {
        try await Ballot.query(on: app.db).filter(\.$medium == "paper").count()
    }

    /// Finding 1: eight simultaneous decisions of one sheet stored several ballots; a double click stored two.
    @Test(arguments: TestDatabase.available)
    func oneSheetGivesOneBallotHoweverManyDecisionsArriveAtOnce(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let box = try await openBox(app, present: 0, paperSheetsOfFirstGroup: 3)
            try await makeUser(app, username: "teller2", role: .teller, orgUnitID: box.world.district.id)
            let t2 = try await login(app, "teller2")
            let sheets = "\(box.base)/\(box.roundID)/sheets"
            _ = try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: box.world.token(.chair))
            try await numberSheets(app, box, count: 1)
            _ = try await call(app, .POST, "\(sheets)/1/entry", token: box.world.token(.teller), json: PaperEntryRequest(marks: String(repeating: "1", count: 198)))
            _ = try await call(app, .POST, "\(sheets)/1/entry", token: t2, json: PaperEntryRequest(marks: String(repeating: "2", count: 198)))
            let scrutineer = box.world.token(.scrutineer)
            let statuses = try await concurrently(8) {
                try await call(app, .POST, "\(sheets)/1/decision", token: scrutineer, json: PaperEntryRequest(marks: String(repeating: "3", count: 198))).status
            }
            #expect(statuses.filter { $0 == .ok }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == .conflict }.count == 7, "\(statuses)")
            #expect(try await paperBallots(app) == 1)
            // the double click, one after the other
            try expectError(try await call(app, .POST, "\(sheets)/1/decision", token: scrutineer,
                                            json: PaperEntryRequest(marks: String(repeating: "3", count: 198))), .conflict)
            #expect(try await paperBallots(app) == 1)
        }
    }

    /// Finding 1, the keying side: a second entry sent twice at once, or by two tellers at once, gives one ballot.
    @Test(arguments: TestDatabase.available)
    func secondEntriesRacingOnOneSheetGiveOneBallot(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let box = try await openBox(app, present: 0, paperSheetsOfFirstGroup: 3)
            var tellers: [String] = []
            for name in ["teller2", "teller3", "teller4"] {
                try await makeUser(app, username: name, role: .teller, orgUnitID: box.world.district.id)
                tellers.append(try await login(app, name))
            }
            let sheets = "\(box.base)/\(box.roundID)/sheets"
            let marks = String(repeating: "1", count: 198)
            _ = try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: box.world.token(.chair))
            try await numberSheets(app, box, count: 1)
            // first entries: the same teller clicking twice at once
            let teller = box.world.token(.teller)
            let firsts = try await concurrently(4) {
                try await call(app, .POST, "\(sheets)/1/entry", token: teller, json: PaperEntryRequest(marks: marks)).status
            }
            #expect(firsts.filter { $0 == .ok }.count == 1, "\(firsts)")
            let others = tellers
            let seconds = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for token in others { group.addTask { try await call(app, .POST, "\(sheets)/1/entry", token: token, json: PaperEntryRequest(marks: marks)).status } }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(seconds.filter { $0 == .ok }.count == 1, "\(seconds)")
            #expect(try await paperBallots(app) == 1)
            #expect(try await PaperEntry.query(on: app.db).count() == 2)
        }
    }

    /// Finding 1, reconciliation: paper ballots are held against paper sheets, so unused codes cannot hide extra paper.
    @Test(arguments: TestDatabase.available)
    func extraPaperVoidsTheRoundEvenWhenCodesWentUnused(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let base = "api/v1/campaigns/\(world.campaignID)"
            _ = try await call(app, .POST, "\(base)/status", token: world.token(.districtAdmin), json: ["status": "meeting"])
            let group = try await RaterGroup.query(on: app.db).filter(\.$campaign.$id == world.campaign.id!).sort(\.$position).first()!
            let opened = try await call(app, .POST, "\(base)/rounds", token: world.token(.chair),
                                        json: RoundOpenRequest(codes: [group.id!.uuidString: 5], paperSheets: [group.id!.uuidString: 1]))
                .decode(RoundOpenedDTO.self)
            let rounds = "\(base)/rounds/\(opened.round.id)"
            _ = try await call(app, .POST, "\(rounds)/seal", token: world.token(.chair))
            _ = try await call(app, .POST, "\(rounds)/sheets", token: world.token(.teller), json: NumberSheetRequest(raterGroupID: group.id!))
            _ = try await call(app, .POST, "\(rounds)/sheets/1/entry", token: world.token(.teller), json: PaperEntryRequest(marks: "", unreadable: true))
            try await makeUser(app, username: "teller2", role: .teller, orgUnitID: world.district.id)
            _ = try await call(app, .POST, "\(rounds)/sheets/1/entry", token: try await login(app, "teller2"), json: PaperEntryRequest(marks: "", unreadable: true))
            // two more sheets found in the box: 3 paper sheets back for 1 issued, though 5 codes were never used
            #expect(try await call(app, .POST, "\(rounds)/extra-sheets", token: world.token(.scrutineer), json: ["count": 2]).status == .ok)
            let counted = try await call(app, .POST, "\(rounds)/count", token: world.token(.chair)).decode(RoundDTO.self)
            #expect(counted.state == "void")
            #expect(counted.reconciliation?.sheets == IssuedReturned(issued: 1, returned: 3))
            #expect(counted.reconciliation?.codes == IssuedReturned(issued: 5, returned: 0))
        }
    }

    /// Finding 2: with ballots stored, 会议中 → 筹备 was accepted, then forms, reportees and the campaign were deleted.
    @Test(arguments: TestDatabase.available)
    func noRouteDeletesOrOrphansABallot(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let box = try await openBox(app, present: 4)
            let check = try await spec(app, box, code: box.codes[0])
            for code in box.codes { #expect(try await vote(app, code: code, marks: fullMarks(check)).status == .ok) }
            let admin = box.world.token(.sysadmin)
            let base = "api/v1/campaigns/\(box.world.campaignID)"
            // back to 筹备 is refused while a round exists, whatever its state
            try expectError(try await call(app, .POST, "\(base)/status", token: admin, json: ["status": "preparing"]), .conflict, code: "wrong_state")
            _ = try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: box.world.token(.chair))
            try expectError(try await call(app, .POST, "\(base)/status", token: admin, json: ["status": "preparing"]), .conflict, code: "wrong_state")
            _ = try await call(app, .POST, "\(box.base)/\(box.roundID)/count", token: box.world.token(.chair))
            try expectError(try await call(app, .POST, "\(base)/status", token: admin, json: ["status": "preparing"]), .conflict, code: "wrong_state")
            // and so set-up stays locked, the reportee and the campaign stay
            let reportee = check.reportees[0].id.uuidString
            try expectError(try await call(app, .DELETE, "\(base)/reportees/\(reportee)", token: admin), .conflict)
            try expectError(try await call(app, .PUT, "\(base)/forms", token: admin, json: [FormInput]()), .conflict)
            try expectError(try await call(app, .DELETE, base, token: admin), .conflict)
            #expect(try await Ballot.query(on: app.db).count() == 4)
            #expect(try await BallotCode.query(on: app.db).count() == 4)
            #expect(try await Reportee.find(check.reportees[0].id, on: app.db) != nil)
        }
    }

    /// A round opened and never used still holds codes: the campaign cannot go back or be deleted either.
    @Test func aRoundWithoutBallotsStillKeepsTheCampaignFromGoingBack() async throws {
        try await withApp(.sqlite) { app in
            let box = try await openBox(app, present: 3)
            let base = "api/v1/campaigns/\(box.world.campaignID)"
            try expectError(try await call(app, .POST, "\(base)/status", token: box.world.token(.sysadmin), json: ["status": "preparing"]), .conflict)
            #expect(try await Campaign.find(box.world.campaign.id, on: app.db)?.status == .meeting)
        }
    }

    /// Finding 3: publication was accepted while a round was open, votes then kept arriving, and an archived campaign
    /// had a round sealed and counted.
    @Test(arguments: TestDatabase.available)
    func publicationNeedsACountedRoundAndFreezesTheBox(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let box = try await openBox(app, present: 4)
            let check = try await spec(app, box, code: box.codes[0])
            _ = try await vote(app, code: box.codes[0], marks: fullMarks(check))
            let admin = box.world.token(.districtAdmin)
            let chair = box.world.token(.chair)
            let base = "api/v1/campaigns/\(box.world.campaignID)"
            let publish = PublicationRequest(reporteeIDs: [check.reportees[0].id], days: 7)
            // open round: neither the publication nor the status route publishes
            try expectError(try await call(app, .POST, "\(base)/publications", token: admin, json: publish), .conflict)
            try expectError(try await call(app, .POST, "\(base)/status", token: admin, json: ["status": "published"]), .conflict)
            // sealed, not counted: still no
            _ = try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: chair)
            try expectError(try await call(app, .POST, "\(base)/publications", token: admin, json: publish), .conflict)
            _ = try await call(app, .POST, "\(box.base)/\(box.roundID)/count", token: chair)
            #expect(try await call(app, .POST, "\(base)/publications", token: admin, json: publish).status == .created)
            // published: no round opens, nothing is voted, sealed or counted
            try expectError(try await call(app, .POST, "\(box.base)", token: chair, json: RoundOpenRequest()), .conflict)
            try expectError(try await vote(app, code: box.codes[1], marks: fullMarks(check)), .conflict)
            try expectError(try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: chair), .conflict)
            try expectError(try await call(app, .POST, "\(box.base)/\(box.roundID)/count", token: chair), .conflict)
            #expect(try await call(app, .POST, "\(base)/status", token: admin, json: ["status": "archived"]).status == .ok)
            // archived: read-only
            try expectError(try await call(app, .POST, "\(base)/publications", token: admin, json: publish), .conflict)
            let publication = try #require(try await Publication.query(on: app.db).first())
            try expectError(try await call(app, .POST, "\(base)/publications/\(publication.id!)/withdraw", token: admin), .conflict)
            try expectError(try await call(app, .POST, "\(box.base)", token: chair, json: RoundOpenRequest()), .conflict)
            #expect(try await Ballot.query(on: app.db).count() == 1)
            #expect(try await BallotRound.query(on: app.db).count() == 1)
        }
    }

    /// Tellers numbering sheets at the same moment get different numbers.
    @Test(arguments: TestDatabase.available)
    func concurrentNumberingGivesDistinctNumbers(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let box = try await openBox(app, present: 0, paperSheetsOfFirstGroup: 6)
            _ = try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: box.world.token(.chair))
            let teller = box.world.token(.teller)
            let group = box.opened.paperForms[0].raterGroupID
            let serials = try await withThrowingTaskGroup(of: Int.self) { tasks in
                for _ in 0..<6 {
                    tasks.addTask {
                        try await call(app, .POST, "\(box.base)/\(box.roundID)/sheets", token: teller,
                                       json: NumberSheetRequest(raterGroupID: group)).decode(PaperSheetStatusDTO.self).serial
                    }
                }
                return try await tasks.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(serials.sorted() == [1, 2, 3, 4, 5, 6])
        }
    }

    /// Double clicks on seal and count, and both at once: one of each goes through.
    @Test(arguments: TestDatabase.available)
    func sealAndCountHappenOnceUnderDoubleClicks(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let box = try await openBox(app, present: 3)
            let chair = box.world.token(.chair)
            let seals = try await concurrently(4) { try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: chair).status }
            #expect(seals.filter { $0 == .ok }.count == 1 && seals.filter { $0 == .conflict }.count == 3, "\(seals)")
            let counts = try await concurrently(4) { try await call(app, .POST, "\(box.base)/\(box.roundID)/count", token: chair).status }
            #expect(counts.filter { $0 == .ok }.count == 1 && counts.filter { $0 == .conflict }.count == 3, "\(counts)")
            let audit = try await AuditEntry.query(on: app.db).filter(\.$action ~~ ["round.seal", "round.count"]).count()
            #expect(audit == 2)
        }
    }

    /// Extra codes (补发) only while the round is open, also when asked at the same moment as the seal.
    @Test(arguments: TestDatabase.available)
    func extraCodesAreIssuedOnlyWhileTheRoundIsOpen(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let box = try await openBox(app, present: 3)
            let chair = box.world.token(.chair)
            let group = try await RaterGroup.query(on: app.db).sort(\.$position).first()!
            let request = ExtraCodesRequest(raterGroupID: group.id!, count: 2)
            let extra = try await call(app, .POST, "\(box.base)/\(box.roundID)/codes", token: chair, json: request).decode(RoundOpenedDTO.self)
            #expect(extra.codes.count == 2 && extra.round.issued == 5 && extra.round.issuedCodes == 5)
            _ = try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: chair)
            try expectError(try await call(app, .POST, "\(box.base)/\(box.roundID)/codes", token: chair, json: request), .conflict)
            #expect(try await BallotCode.query(on: app.db).count() == 5)
            #expect(try await BallotRound.find(box.roundID, on: app.db)?.issuedCodes == 5)
        }
    }

    /// Finding 8: the only voter of a rater group had their ballot printed cell by cell on the group rows, and the
    /// weights let it be recovered by subtraction.
    @Test(arguments: TestDatabase.available)
    func aGroupOfOneIsNeverShownOnItsOwn(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let box = try await openBox(app, present: 7) // six 区领导, one 部门负责人
            let check = try await spec(app, box, code: box.codes[0])
            let lone = box.opened.codes.firstIndex { $0.raterGroup == "部门负责人" }!
            for (i, code) in box.codes.enumerated() {
                #expect(try await vote(app, code: code, marks: fullMarks(check, i == lone ? "poor" : "good")).status == .ok)
            }
            _ = try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: box.world.token(.chair))
            _ = try await call(app, .POST, "\(box.base)/\(box.roundID)/count", token: box.world.token(.chair))
            let admin = box.world.token(.districtAdmin)
            let results = try await call(app, .GET, "api/v1/campaigns/\(box.world.campaignID)/results", token: admin).decode(ResultsDTO.self)
            #expect(results.minimumGroupSize == 3 && !results.withheld)
            let overall = results.reportees[0].forms[0].columns[0]
            // no shown group rests on fewer than three ballots
            for group in overall.byGroup {
                let n = group.counts.valid + group.counts.abstentions + group.counts.voids
                #expect(n == 0 || n >= 3, "\(group.raterGroup): \(n)")
            }
            #expect(overall.byGroup.map(\.raterGroup).contains { $0.hasPrefix("区领导、部门负责人") })
            // the weighted score is the pooled group's mean: (6 × 100 + 40) / 7, not (0.3 × 100 + 0.3 × 40) / 0.6
            #expect(abs((overall.weightedPoints ?? 0) - 640.0 / 7) < 1e-9)
            let sheet = try await call(app, .GET, "api/v1/campaigns/\(box.world.campaignID)/results/\(check.reportees[0].id)", token: admin)
                .decode(ResultSheetDTO.self)
            #expect(!sheet.raterGroups.map(\.name).contains("部门负责人"))
            let chart = try await call(app, .GET, "api/v1/campaigns/\(box.world.campaignID)/results/\(check.reportees[0].id)/charts/groups", token: admin)
            #expect(chart.status == .ok && chart.text.contains("区领导、部门负责人") && !chart.text.contains(">部门负责人<"))
        }
    }

    /// Finding 8: a round with fewer codes than the minimum is refused; one whose ballots fall short shows nothing.
    @Test func tooSmallARoundIsRefusedOrWithheld() async throws {
        try await withApp(.sqlite) { app in
            let world = try await World.make(app)
            let base = "api/v1/campaigns/\(world.campaignID)"
            _ = try await call(app, .POST, "\(base)/status", token: world.token(.districtAdmin), json: ["status": "meeting"])
            let group = try await RaterGroup.query(on: app.db).filter(\.$campaign.$id == world.campaign.id!).sort(\.$position).first()!
            let key = group.id!.uuidString
            try expectError(try await call(app, .POST, "\(base)/rounds", token: world.token(.chair), json: RoundOpenRequest(codes: [key: 1])),
                            .unprocessableEntity, code: "too_few_voters")
            try expectError(try await call(app, .POST, "\(base)/rounds", token: world.token(.chair), json: RoundOpenRequest(codes: [key: 2])),
                            .unprocessableEntity, code: "too_few_voters")
            #expect(try await BallotRound.query(on: app.db).count() == 0)
            // three codes, one ballot: counted, but no figure is shown
            let opened = try await call(app, .POST, "\(base)/rounds", token: world.token(.chair), json: RoundOpenRequest(codes: [key: 3]))
                .decode(RoundOpenedDTO.self)
            let check = try await call(app, .POST, "api/v1/vote/check", json: VoteCheckRequest(code: opened.codes[0].code)).decode(VoteCheckDTO.self)
            _ = try await call(app, .POST, "api/v1/vote", json: VoteRequest(code: opened.codes[0].code, submissionID: UUID().uuidString,
                                                                          marks: fullMarks(check, "poor")))
            for step in ["seal", "count"] { _ = try await call(app, .POST, "\(base)/rounds/\(opened.round.id)/\(step)", token: world.token(.chair)) }
            let results = try await call(app, .GET, "\(base)/results", token: world.token(.districtAdmin)).decode(ResultsDTO.self)
            #expect(results.withheld)
            #expect(results.reportees.allSatisfy { $0.composite == nil && $0.forms.allSatisfy { $0.columns.allSatisfy { $0.counts.poor == 0 } } })
        }
    }

    /// The count reconciles what the round holds at the claim, not the request's earlier copy of it: extra sheets
    /// registered after the chair's request read the round still void it.
    @Test(arguments: TestDatabase.available)
    func theCountUsesTheRoundAsItIsAtTheClaim(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let box = try await openBox(app, present: 3)
            let check = try await spec(app, box, code: box.codes[0])
            for code in box.codes { _ = try await vote(app, code: code, marks: fullMarks(check)) }
            _ = try await call(app, .POST, "\(box.base)/\(box.roundID)/seal", token: box.world.token(.chair))
            let stale = try #require(try await BallotRound.find(box.roundID, on: app.db))
            #expect(try await call(app, .POST, "\(box.base)/\(box.roundID)/extra-sheets", token: box.world.token(.scrutineer),
                                   json: ["count": 1]).status == .ok)
            let chair = try #require(try await User.query(on: app.db).filter(\.$username == "chair").first())
            let actor = Actor(user: chair, scope: try await OrgScope.of(chair, on: app.db))
            let reconciliation = try await BallotRounds.count(stale, by: actor, gate: app.roundClosings, on: app.db)
            #expect(reconciliation.isVoid && reconciliation.returned == 4)
            #expect(try await BallotRound.find(box.roundID, on: app.db)?.state == .void)
        }
    }
}
