@testable import App
import Fluent
import Foundation
import PingyiCore
import Testing
import Vapor

/// `Publishing` called directly on a counted campaign: set up, run the operation, check what is stored.
@Suite("Publishing operations")
struct PublishingOperationTests: BallotBoxHelpers {
    /// The demo with a round of six phone ballots (every mark 好) sealed and counted.
    func counted(_ app: Application) async throws -> (Campaign, Actor) {
        let box = try await openBox(app, present: 6)
        let check = try await spec(app, box, code: box.codes[0])
        for code in box.codes { _ = try await vote(app, code: code, marks: fullMarks(check)) }
        for step in ["seal", "count"] {
            let reply = try await call(app, .POST, "\(box.base)/\(box.roundID)/\(step)", token: box.world.token(.chair))
            #expect(reply.status == .ok, "\(reply.text)")
        }
        let campaign = try #require(try await Campaign.find(box.world.campaign.id, on: app.db))
        return (campaign, try await actor(app, "districtAdmin"))
    }

    @Test(arguments: TestDatabase.available)
    func publishingFreezesTheChosenRowsAndMovesThePhase(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let (campaign, admin) = try await counted(app)
            let reportees = try await Reportee.query(on: app.db).filter(\.$campaign.$id == campaign.id!).sort(\.$position).all()
            let chosen = [reportees[1].id!, reportees[0].id!]
            // refused: nothing stored
            await #expect(throws: PublicationError.days) {
                try await Publishing.publish(PublicationRequest(reporteeIDs: chosen, days: 31), in: campaign, by: admin, on: app.db)
            }
            await #expect(throws: PublicationError.unknownReportee) {
                try await Publishing.publish(PublicationRequest(reporteeIDs: [UUID()], days: 7), in: campaign, by: admin, on: app.db)
            }
            #expect(try await Publication.query(on: app.db).count() == 0)
            // operation
            let publication = try await Publishing.publish(PublicationRequest(reporteeIDs: chosen, days: 7), in: campaign, by: admin, on: app.db)
            // check
            let stored = try #require(try await Publication.find(publication.id, on: app.db))
            #expect(Set(stored.rows.items.map(\.reporteeID)) == Set(chosen))
            #expect(stored.rows.items == PublishedRows.ordered(stored.rows.items))
            #expect(stored.title == "\(campaign.title)结果公示" && stored.issuer?.hasSuffix("组织部门") == true)
            #expect(try await Campaign.find(campaign.id, on: app.db)?.status == .published)
            let head = try await auditHead(on: app.db)
            #expect(stored.auditSeq == head.seq && stored.auditHash == head.hash)
            #expect(try await auditActions(app).suffix(2) == ["campaign.status", "results.publish"])
            // withdraw, once
            let withdrawn = try await Publishing.withdraw(stored, in: campaign, by: admin, on: app.db)
            #expect(withdrawn.withdrawnAt != nil)
            await #expect(throws: APIError.self) { try await Publishing.withdraw(withdrawn, in: campaign, by: admin, on: app.db) }
            #expect(try await Publication.find(publication.id, on: app.db)?.withdrawnAt != nil)
            #expect(try await auditActions(app).last == "results.withdraw")
        }
    }

    @Test(arguments: TestDatabase.available)
    func assessmentWeightsAndEntriesAreStoredAndAudited(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let (campaign, admin) = try await counted(app)
            let reportee = try #require(try await Reportee.query(on: app.db).filter(\.$campaign.$id == campaign.id!)
                .filter(\.$mode == .onsite).sort(\.$position).first())
            await #expect(throws: RulesError.self) {
                try await Publishing.replaceAssessmentWeights(["evaluation": -1], of: campaign, by: admin, on: app.db)
            }
            let weights = ["evaluation": 0.5, "daily": 0.2, "target": 0.2, "onsite": 0.1]
            _ = try await Publishing.replaceAssessmentWeights(weights, of: campaign, by: admin, on: app.db)
            #expect(try await Campaign.find(campaign.id, on: app.db)?.assessmentRules.weights == weights)
            try await Publishing.enterAssessment(AssessmentEntryRequest(scores: ["daily": 90, "target": 85, "onsite": 88], veto: "违反纪律"),
                                                 for: reportee, in: campaign, by: admin, on: app.db)
            try await Publishing.enterAssessment(AssessmentEntryRequest(scores: ["daily": 91], veto: nil),
                                                 for: reportee, in: campaign, by: admin, on: app.db)
            let records = try await AssessmentRecord.query(on: app.db).filter(\.$reportee.$id == reportee.id!).all()
            #expect(records.count == 1 && records.first?.entry.veto == nil)
            let summaries = try await AuditEntry.query(on: app.db).filter(\.$action == "assessment.entry").sort(\.$seq).all().map(\.summary)
            #expect(summaries == ["录入考核：\(reportee.name)（一票否决）", "录入考核：\(reportee.name)（撤销一票否决）"])
            #expect(try await auditActions(app).contains("assessment.weights"))
        }
    }

    @Test(arguments: TestDatabase.available)
    func anExportIsLogged(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let (campaign, admin) = try await counted(app)
            let report = try await Publishing.exportResults(of: campaign, format: "CSV", by: admin, on: app.db)
            #expect(report.computed.round.state == .counted)
            let last = try #require(try await AuditEntry.query(on: app.db).sort(\.$seq, .descending).first())
            #expect(last.action == "results.export" && last.summary == "导出评议结果（CSV）")
        }
    }
}
