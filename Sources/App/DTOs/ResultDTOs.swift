import Foundation
import PingyiCore
import Vapor

/// 个人评议结果表.
struct ResultSheetDTO: Content {
    var campaignID: UUID
    var campaignTitle: String
    var year: Int
    var roundNumber: Int
    var reconciliation: ReconciliationDTO?
    /// How many secretaries were ranked (the "of N" in 第 3 名 / 共 12 名).
    var rankedCount: Int
    /// The rater groups as the sheet shows them (pooled where smaller than the minimum), in campaign order.
    var raterGroups: [ShownRaterGroupDTO]
    /// The round held fewer ballots than the campaign's minimum group size: no figure is shown.
    var withheld: Bool
    var minimumGroupSize: Int
    var reportee: ReporteeResultDTO

    init(_ report: CampaignReport, _ result: ReporteeResult) {
        campaignID = report.campaign.id!
        campaignTitle = report.campaign.title
        year = report.campaign.year
        roundNumber = report.computed.round.number
        reconciliation = report.computed.reconciliation.map(ReconciliationDTO.init)
        rankedCount = report.computed.results.filter { $0.rank != nil }.count
        raterGroups = report.groups.map(ShownRaterGroupDTO.init)
        withheld = report.computed.pooling.withheld
        minimumGroupSize = report.computed.pooling.minimum
        reportee = report.dto(result)
    }
}

struct HistoryEntryDTO: Content {
    var campaignID: UUID
    var campaignTitle: String
    var year: Int
    var reporteeID: UUID
    var unitName: String
    var composite: Double?
    var goodRate: Double?
    var rank: Int?
    var rankedCount: Int
    var grade: String?
    var finalGrade: String?
}

struct MyResultDTO: Content {
    var campaignID: UUID
    var campaignTitle: String
    var year: Int
    var reporteeID: UUID
    var published: Bool
}

/// One campaign in the three-level overview.
struct CampaignOverviewDTO: Content {
    var campaignID: UUID
    var title: String
    var year: Int
    var orgUnitName: String
    var level: String
    var levelLabel: String
    var status: String
    var statusLabel: String
    var reportees: Int
    var counted: Bool
    var averageComposite: Double?
    var averageGoodRate: Double?
    /// 评议等次 counts by grade code.
    var grades: [String: Int]
    /// 综合评定 counts by grade code (complete assessments only).
    var finalGrades: [String: Int]
    /// Secretaries with 一般+差 over the threshold on some form.
    var flagged: Int

    /// `results`: the latest counted round's, `nil` before any count; `outcomes`: each secretary's 综合评定.
    init(campaignID: UUID, title: String, year: Int, level: CampaignLevel, status: CampaignStatus, unitName: String,
         reportees: Int, results counted: [ReporteeResult]?, outcomes: [String: AssessmentOutcome]) {
        self.campaignID = campaignID
        self.title = title
        self.year = year
        orgUnitName = unitName
        self.level = level.rawValue
        levelLabel = level.label
        self.status = status.rawValue
        statusLabel = status.label
        self.reportees = reportees
        self.counted = counted != nil
        let results = counted ?? []
        averageComposite = Score.weightedMean(results.map { ($0.composite, 1) })
        averageGoodRate = Score.weightedMean(results.map { ($0.goodRate, 1) })
        grades = Dictionary(grouping: results.compactMap(\.grade), by: \.rawValue).mapValues(\.count)
        finalGrades = Dictionary(grouping: outcomes.values.compactMap(\.grade), by: \.rawValue).mapValues(\.count)
        flagged = results.filter { $0.flags.contains { if case .lowRating = $0 { true } else { false } } }.count
    }
}

struct AssessmentWeightsRequest: Content {
    var weights: [String: Double]
}

struct AssessmentEntryRequest: Content {
    /// Scores by component id (`daily`, `target`, `onsite`); a missing key clears that part.
    var scores: [String: Double]
    /// 一票否决 reason; `null` or absent lifts the veto.
    var veto: String?
}

struct PublicationRequest: Content {
    var title: String?
    var reporteeIDs: [UUID]
    /// 公示期 in days, from now (1–30).
    var days: Int
    /// 发布单位 (default: the campaign's organization + 组织部门), 联系方式, 异议说明 (default: a standard sentence).
    var issuer: String? = nil
    var contact: String? = nil
    var objectionText: String? = nil
}

struct PublicationDTO: Content {
    var id: UUID
    var campaignID: UUID
    var title: String
    var startsAt: Date
    var endsAt: Date
    var withdrawnAt: Date?
    var showing: Bool
    var publishedBy: String
    var url: String
    var issuer: String?
    var contact: String?
    var objectionText: String?
    var rows: [PublishedRowDTO]

    init(_ publication: Publication, now: Date = Date()) {
        id = publication.id!
        campaignID = publication.$campaign.id
        title = publication.title
        startsAt = publication.startsAt
        endsAt = publication.endsAt
        withdrawnAt = publication.withdrawnAt
        showing = publication.isShowing(at: now)
        publishedBy = publication.publishedBy
        url = "/gongshi/\(publication.id!.uuidString)"
        issuer = publication.issuer
        contact = publication.contact
        objectionText = publication.objectionText
        rows = publication.rows.items.map(PublishedRowDTO.init)
    }
}

/// The public view of a notice row: no ids.
struct PublishedRowDTO: Content {
    var name: String
    var unitName: String
    var title: String
    var goodRate: Double?
    var composite: Double?
    var rank: Int?
    var evaluationGrade: String?
    var finalGrade: String?

    init(_ row: PublishedRow) {
        name = row.name
        unitName = row.unitName
        title = row.title
        goodRate = row.goodRate
        composite = row.composite
        rank = row.rank
        evaluationGrade = row.evaluationGrade
        finalGrade = row.finalGrade
    }
}

/// A notice as the public sees it.
struct PublicNoticeDTO: Content {
    var id: UUID
    var title: String
    var organization: String
    var year: Int
    var startsAt: Date
    var endsAt: Date
    var rows: [PublishedRowDTO]
    /// 发布单位, 联系方式 (absent when none was given) and 异议说明, as published.
    var issuer: String
    var contact: String?
    var objectionText: String
    /// The public list of counted receipts of the round these results come from; absent when there is none.
    var receiptsPath: String?
    /// The audit chain's head at publication (`pingyi audit verify` checks the log it closes).
    var auditSeq: Int?
    var auditHash: String?
}

struct CountsDTO: Content {
    var good: Int, fairlyGood: Int, average: Int, poor: Int, abstentions: Int, voids: Int, valid: Int

    init(_ c: GradeCounts) {
        good = c.good; fairlyGood = c.fairlyGood; average = c.average; poor = c.poor
        abstentions = c.abstentions; voids = c.voids; valid = c.valid
    }
}


/// A rater group as results show it: one group, or several pooled (最少人数) under one id.
struct ShownRaterGroupDTO: Content, Equatable {
    /// The group's id, or for a pooled group its members' ids joined by "+".
    var id: String
    var name: String
    var memberIDs: [UUID]

    init(_ group: ShownRaterGroup) {
        id = group.key
        name = group.name
        memberIDs = group.members
    }
}


struct GroupResultDTO: Content {
    /// `ShownRaterGroupDTO.id`.
    var raterGroupID: String
    var raterGroup: String
    var counts: CountsDTO
    var meanPoints: Double?
    var goodRate: Double?
}


struct ColumnResultDTO: Content {
    var columnID: String
    var name: String
    var kind: String
    var counts: CountsDTO
    var goodRate: Double?
    var poorRate: Double?
    var meanPoints: Double?
    var weightedPoints: Double?
    var weightedGoodRate: Double?
    var byGroup: [GroupResultDTO]
}


struct FormResultDTO: Content {
    var formID: String
    var name: String
    var score: Double?
    var goodRate: Double?
    var weightedGoodRate: Double?
    var columns: [ColumnResultDTO]
}


struct ReporteeResultDTO: Content {
    var reporteeID: String
    var name: String
    var unitName: String
    var title: String
    var composite: Double?
    var goodRate: Double?
    var poorRate: Double?
    var weightedGoodRate: Double?
    var rank: Int?
    var grade: String?
    var gradeLabel: String?
    var flags: [FlagDTO]
    var forms: [FormResultDTO]
    /// 综合评定 (考核); `nil` where the campaign's reader may not see it.
    var assessment: AssessmentDTO?
}


struct AssessmentPartDTO: Content {
    var component: String
    var label: String
    var score: Double?
    var weight: Double
}


struct AssessmentDTO: Content {
    var parts: [AssessmentPartDTO]
    var score: Double?
    var grade: String?
    var gradeLabel: String?
    var veto: String?
    var missing: [String]
    /// Weighted parts that do not apply to this secretary (`onsite` for a written report), by component id: left
    /// out, their weight shared out among `parts` in proportion.
    var notApplicable: [String]
    var notes: [String]

    init(_ outcome: AssessmentOutcome, entry: AssessmentEntry) {
        parts = outcome.parts.map { AssessmentPartDTO(component: $0.component.rawValue, label: $0.component.label, score: $0.score, weight: $0.weight) }
        score = outcome.score
        grade = outcome.grade?.rawValue
        gradeLabel = outcome.grade?.label
        veto = entry.veto
        missing = outcome.missing.map(\.label)
        notApplicable = outcome.notApplicable.map(\.rawValue)
        notes = outcome.notes
    }
}


struct ResultsDTO: Content {
    var campaignID: UUID
    var campaignTitle: String
    var year: Int
    var status: String
    var roundNumber: Int
    var reconciliation: ReconciliationDTO?
    /// The round held fewer ballots than the campaign's minimum group size: no figure is shown.
    var withheld: Bool
    var minimumGroupSize: Int
    var assessmentWeights: [String: Double]
    var reportees: [ReporteeResultDTO]
}


/// Why a grade is what it is, for machines (`code`, ids, grade codes) and people (`message`).
struct FlagDTO: Content, Equatable {
    /// `low_rating`, `limited_by_low_rating`, `demoted_by_good_share_cap` or `no_valid_votes`.
    var code: String
    /// The form whose 总体评价 raised a `low_rating` flag.
    var formID: String?
    /// `limited_by_low_rating`: the band grade and the ceiling it was lowered to; `demoted_by_good_share_cap`: `good`
    /// to `fairly_good` (grade codes).
    var from: String?
    var to: String?
    var message: String

    init(_ flag: GradingFlag) {
        code = flag.code
        message = flag.message
        switch flag {
        case .lowRating(let formID, _): self.formID = formID
        case .limitedByLowRating(let from, let to): self.from = from.rawValue; self.to = to.rawValue
        case .demotedByGoodShareCap: from = Grade.good.rawValue; to = Grade.fairlyGood.rawValue
        case .noValidVotes: break
        }
    }
}
