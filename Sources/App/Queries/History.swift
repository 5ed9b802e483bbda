import Fluent
import Foundation
import PingyiCore

/// 历年结果: the same secretary across campaigns, and a secretary's own campaigns.
enum History {
    /// Every campaign a secretary reports in, newest first, with whether the sheet is open to them.
    static func mine(for actor: Actor, on db: any Database) async throws -> [MyResultDTO] {
        guard actor.hasOwnResults else { return [] }
        let mine = try await Reportee.query(on: db).filter(\.$user.$id == actor.id).with(\.$campaign).all()
        return mine.sorted { ($0.campaign.year, $0.campaign.title) > ($1.campaign.year, $1.campaign.title) }.map { reportee in
            MyResultDTO(campaignID: reportee.$campaign.id, campaignTitle: reportee.campaign.title, year: reportee.campaign.year,
                        reporteeID: reportee.id!, published: reportee.campaign.status.resultsArePublished)
        }
    }

    /// The same secretary in the campaigns the reader may see: by account when both have one, otherwise by name and
    /// unit; oldest first.
    static func of(_ person: Reportee, for actor: Actor, on db: any Database) async throws -> [HistoryEntryDTO] {
        var candidates = try await Reportee.query(on: db).filter(\.$name == person.name).with(\.$campaign).all()
        if let user = person.$user.id {
            candidates += try await Reportee.query(on: db).filter(\.$user.$id == user).filter(\.$name != person.name).with(\.$campaign).all()
        }
        var entries: [HistoryEntryDTO] = []
        for other in candidates {
            let sameAccount = person.$user.id != nil && other.$user.id == person.$user.id
            let sameUnit = other.name == person.name && (other.$orgUnit.id != nil && other.$orgUnit.id == person.$orgUnit.id
                || other.unitName == person.unitName)
            guard sameAccount || sameUnit else { continue }
            let campaign = other.campaign
            let readable = actor.manages(campaign) || (actor.role == .reportee && other.$user.id == actor.id && campaign.status.resultsArePublished)
            guard readable, let report = try await campaignReport(campaign, on: db), let result = report.result(other.id!.uuidString) else { continue }
            let outcome = report.outcomes[result.reportee]
            entries.append(HistoryEntryDTO(
                campaignID: campaign.id!, campaignTitle: campaign.title, year: campaign.year, reporteeID: other.id!,
                unitName: other.unitName, composite: result.composite, goodRate: result.goodRate, rank: result.rank,
                rankedCount: report.computed.results.filter { $0.rank != nil }.count, grade: result.grade?.label,
                finalGrade: outcome?.grade?.label))
        }
        return entries.sorted { ($0.year, $0.campaignTitle) < ($1.year, $1.campaignTitle) }
    }
}
