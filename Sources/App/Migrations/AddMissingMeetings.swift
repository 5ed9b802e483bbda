import Fluent
import Foundation

/// Every campaign has its meeting row and every participant a check-in code from the start, so reading the console or
/// printing the check-in cards never writes (they were created on first read before). This fills them in for campaigns
/// made before. Revert leaves them: they are what the app now creates anyway, and earlier code created them too.
struct AddMissingMeetings: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.transaction { db in
            let withMeeting = Set(try await Meeting.query(on: db).all().map { $0.$campaign.id })
            for campaign in try await Campaign.query(on: db).all() {
                let id = try campaign.requireID()
                if !withMeeting.contains(id) { try await Meeting(campaignID: id).save(on: db) }
                try await assignCheckInCodes(campaignID: id, on: db)
            }
        }
    }

    func revert(on database: any Database) async throws {}
}
