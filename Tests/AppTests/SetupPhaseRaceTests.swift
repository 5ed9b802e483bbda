@testable import App
import Fluent
import Foundation
import PingyiCore
import Testing
import Vapor

/// Issue 22, finding 5: a rules change landed after the meeting had started (`PUT …/rules` raced with
/// `POST …/status meeting`): set-up routes checked the phase before their write transaction. The phase is now read
/// under the campaign's lock inside the write, so a set-up change is either wholly before the meeting or refused.
@Suite("Set-up writes and the start of the meeting")
struct SetupPhaseRaceTests {
    @Test(arguments: TestDatabase.available)
    func noSetupChangeLandsAfterTheMeetingStarted(database: TestDatabase) async throws {
        try await withApp(database) { app in
            let world = try await World.make(app)
            let admin = world.token(.districtAdmin)
            let base = "api/v1/campaigns/\(world.campaignID)"
            for i in 0..<12 {
                var rules = world.campaign.rules
                rules.minimumGroupSize = 3 + i % 2 + 1
                async let changedRules = call(app, .PUT, "\(base)/rules", token: admin, json: rules)
                async let added = call(app, .POST, "\(base)/reportees", token: admin,
                                       json: ReporteeCreateRequest(name: "补充\(i)", unitName: "测试单位\(i)", mode: "onsite"))
                async let started = call(app, .POST, "\(base)/status", token: admin, json: ["status": "meeting"])
                let replies = try await [changedRules, added, started]
                #expect(replies[2].status == .ok, "\(replies[2].text)")
                for reply in replies[0...1] {
                    #expect([.ok, .created, .conflict].contains(reply.status), "\(reply.status) \(reply.text)")
                    if reply.status == .conflict { try expectError(reply, .conflict, code: "wrong_state") }
                }
                #expect(try await call(app, .POST, "\(base)/status", token: admin, json: ["status": "preparing"]).status == .ok)
            }
            // The audit log, in its order: no set-up change was written while the campaign was in its meeting.
            let log = try await AuditEntry.query(on: app.db).filter(\.$campaignID == world.campaign.id!).all()
                .sorted { ($0.seq ?? 0) < ($1.seq ?? 0) }
            var phase = CampaignPhase.preparing
            var late: [String] = []
            for entry in log {
                if entry.action == "campaign.status" {
                    phase = entry.summary.hasSuffix(CampaignPhase.meeting.label) ? .meeting : .preparing
                } else if ["campaign.rules", "reportee.create"].contains(entry.action), phase != .preparing {
                    late.append(entry.action)
                }
            }
            #expect(late.isEmpty, "set-up changes written in the meeting: \(late)")
            // What was refused changed nothing: the reportees written are exactly those the log records.
            let created = log.filter { $0.action == "reportee.create" }.count
            #expect(try await Reportee.query(on: app.db).filter(\.$name ~~ (0..<12).map { "补充\($0)" }).count() == created)
        }
    }
}
