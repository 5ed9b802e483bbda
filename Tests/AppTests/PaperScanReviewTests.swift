@testable import App
import Fluent
import Foundation
import PaperPageDrawing
import PingyiCore
import SQLKit
import Testing
import Vapor

/// The findings of the outside review of the paper path, each at the HTTP route on both databases.
@Suite("Paper path review findings")
struct PaperScanReviewTests: BallotBoxHelpers {
    let helper = PaperScanTests()

    func sealed(_ app: Application, sets: Int = 4) async throws -> PaperScanTests.ScanBox {
        try await helper.sealedScanBox(app, sets: sets)
    }

    func upload(_ app: Application, _ sb: PaperScanTests.ScanBox, _ image: GrayImage, token: String? = nil) async throws -> Reply {
        try await helper.upload(app, sb, image, token: token)
    }

    func path(_ sb: PaperScanTests.ScanBox, _ tail: String) -> String { "\(sb.box.base)/\(sb.box.roundID)/\(tail)" }

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
}
