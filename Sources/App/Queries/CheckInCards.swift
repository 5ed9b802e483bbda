import Fluent
import Foundation
import PingyiCore

/// 签到卡 as the check-in page prints them. A read: every participant has had a code since they were added.
enum CheckInCards {
    /// 签到卡: one card per participant with the personal check-in code and its QR, to print and hand out before the
    /// meeting; a USB scanner at the door types the code into the check-in screen.
    static func of(_ campaign: Campaign, on db: any Database) async throws -> [CheckInCardDTO] {
        let campaignID = try campaign.requireID()
        let groups = try await RaterGroup.query(on: db).filter(\.$campaign.$id == campaignID).all()
        let names = Dictionary(groups.map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
        return try await Participant.query(on: db).filter(\.$campaign.$id == campaignID).sort(\.$position).all().map { person in
            let code = person.checkInCode ?? ""
            return CheckInCardDTO(name: person.name, unitName: person.unitName, roleLabel: person.role.label,
                                  raterGroup: person.$raterGroup.id.flatMap { names[$0] }, code: code,
                                  qrSVG: (try? QRCode(text: code).svg(title: "签到码")) ?? "")
        }
    }
}
