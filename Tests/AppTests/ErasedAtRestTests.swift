@testable import App
import Fluent
import Foundation
import PaperPageDrawing
import PingyiCore
import SQLKit
import Testing
import Vapor

/// Issue 22, finding 3: what the count erases (the tellers' keyed entries with teller and sheet ids, the pages'
/// machine readings, the people's checks) and what archiving erases (the page images) must not survive in the
/// database's files: not in dead PostgreSQL rows or TOAST chunks, not in SQLite's free space or write-ahead log.
/// Checked as the review did, by reading the files' bytes.
@Suite("Nothing erased survives in the files")
struct ErasedAtRestTests: BallotBoxHelpers {
    /// Byte strings that stand in the files only while the erased data is there, per stage.
    struct Markers {
        var counted: [(String, Data)] = []
        var archived: [(String, Data)] = []
    }

    /// A sealed round with one scanned page (sampled and checked) and one keyed sheet, counted, then published and
    /// archived. `files` reads the database's files for the markers of a stage: the counted round's before and after
    /// the count, the image's before and after archiving.
    func countAndArchive(_ app: Application, markers: (Application, PaperScan, PaperEntry, PaperScanCheck) async throws -> Markers,
                         found: (Application, [(String, Data)]) async throws -> [String],
                         aroundArchiving: ((() async throws -> Reply) async throws -> Reply)? = nil) async throws {
        let scanning = PaperScanTests()
        let sb = try await scanning.sealedScanBox(app)
        let chair = sb.box.world.token(.chair), scrutineer = sb.box.world.token(.scrutineer), admin = sb.box.world.token(.sysadmin)
        try await makeUser(app, username: "teller2", role: .teller, orgUnitID: sb.box.world.district.id)
        let teller2 = try await login(app, "teller2")
        // A page read by the machine, drawn with marks no other test draws.
        let image = try sb.page(form: 0, circles: [(0, 1, 2), (1, 3, 0), (2, 5, 3), (4, 0, 1), (6, 2, 2), (9, 4, 3)]).render()
        let uploaded = try await scanning.upload(app, sb, image)
        #expect(uploaded.status == .created, "\(uploaded.text)")
        let scan = try uploaded.decode(PaperScanDTO.self)
        // A sheet of form 2 keyed by two tellers.
        let group = sb.box.opened.paperForms[0].raterGroupID
        let sheet = try await call(app, .POST, "\(sb.box.base)/\(sb.box.roundID)/sheets", token: sb.teller,
                                   json: NumberSheetRequest(raterGroupID: group, formIndex: 2, page: 0)).decode(PaperSheetStatusDTO.self)
        let keyed = String((0..<66).map { _ in "1234".randomElement()! })
        let entry = "\(sb.box.base)/\(sb.box.roundID)/sheets/\(sheet.serial)/entry"
        #expect(try await call(app, .POST, entry, token: sb.teller, json: PaperEntryRequest(marks: keyed)).status == .ok)
        #expect(try await call(app, .POST, entry, token: teller2, json: PaperEntryRequest(marks: keyed)).status == .ok)
        #expect(try await call(app, .PUT, "\(sb.box.base)/\(sb.box.roundID)/box-counts", token: sb.teller,
                               json: BoxCountsRequest(counts: [1, 0, 1])).status == .ok)
        #expect(try await call(app, .POST, "\(sb.scans)/sample", token: scrutineer).status == .ok)
        #expect(try await call(app, .POST, "\(sb.scans)/\(scan.id)/sample-check", token: scrutineer,
                               json: ScanMarksRequest(marks: scan.reading, raterGroupID: scan.raterGroupID, formIndex: scan.formIndex)).status == .ok)
        let stored = try #require(try await PaperScan.find(scan.id, on: app.db))
        let storedEntry = try #require(try await PaperEntry.query(on: app.db).first())
        let check = try #require(try await PaperScanCheck.query(on: app.db).first())
        let wanted = try await markers(app, stored, storedEntry, check)
        #expect(!wanted.counted.isEmpty && !wanted.archived.isEmpty)
        // Before: the test sees what it looks for.
        let beforeCount = try await found(app, wanted.counted)
        #expect(beforeCount == wanted.counted.map(\.0), "every marker is in the files before the count")

        let counted = try await call(app, .POST, "\(sb.box.base)/\(sb.box.roundID)/count", token: chair)
        #expect(counted.status == .ok, "\(counted.text)")
        let afterCount = try await found(app, wanted.counted)
        #expect(afterCount == [], "nothing the count erased is left in the files")

        let beforeArchiving = try await found(app, wanted.archived)
        #expect(beforeArchiving == wanted.archived.map(\.0), "the page image is in the files before archiving")
        let base = "api/v1/campaigns/\(sb.box.world.campaignID)"
        let reportee = try #require(try await Reportee.query(on: app.db).first())
        #expect(try await call(app, .POST, "\(base)/publications", token: admin, json: PublicationRequest(reporteeIDs: [reportee.id!], days: 7)).status == .created)
        let archive = { try await call(app, .POST, "\(base)/status", token: admin, json: ["status": "archived"]) }
        let archived = if let aroundArchiving { try await aroundArchiving(archive) } else { try await archive() }
        #expect(archived.status == .ok, "\(archived.text)")
        let afterArchiving = try await found(app, wanted.archived)
        #expect(afterArchiving == [], "no page image is left in the files after archiving")
        #expect(try await call(app, .GET, "\(sb.scans)/\(scan.id)/image", token: admin).status == .gone)
    }

    @Test func sqliteMainFileAndWriteAheadLogKeepNothingErased() async throws {
        try await withSQLiteFile { app, path in
            func files() -> [Data] { [path, path + "-wal"].compactMap { FileManager.default.contents(atPath: $0) } }
            try await countAndArchive(app, markers: { _, scan, entry, check in
                var markers = Markers()
                // A keyed entry's record holds its sheet id and teller id side by side, as text (so does its unique index).
                markers.counted.append(("keyed entry", Data((entry.$sheet.id.uuidString + entry.tellerID.uuidString).utf8)))
                // The page's row is longer than a page of the file: it runs on over overflow pages, each starting with
                // a pointer, so its scores may not lie in one piece (they did not once the kept image was deflated as
                // runs). Every 48-byte piece of them that lies in one piece before the count stands for them.
                let bytes = files()
                let scores = Data(scan.scores.utf8)
                let pieces = stride(from: 0, to: max(0, scores.count - 48), by: 48).map { Data(scores[$0..<$0 + 48]) }
                    .filter { piece in bytes.contains { !$0.ranges(of: piece).isEmpty } }
                #expect(pieces.count * 2 >= scores.count / 48, "most of the scores are in the files before the count")
                markers.counted += pieces.map { ("machine reading", $0) }
                // A check's record ends with its kind and the marks read (the marks alone also stand in the ballot).
                markers.counted.append(("check", Data((check.kind.rawValue + check.marks).utf8)))
                let image = try #require(scan.image)
                markers.archived.append(("page image", try #require(distinctiveWindow(of: image))))
                return markers
            }, found: { _, markers in
                let bytes = files()
                return markers.filter { _, marker in bytes.contains { !$0.ranges(of: marker).isEmpty } }.map(\.0)
            })
        }
    }

    @Test func postgresTableAndToastFilesKeepNoDeadCopy() async throws {
        guard TestDatabase.available.contains(.postgres) else { return }
        try await withApp(.postgres) { app in
            let sql = app.db as! any SQLDatabase
            struct Text: Decodable { var t: String }
            guard let pg = try await PostgresFiles(app.db) else { return }
            let toast = try #require(try await sql.raw("""
                SELECT reltoastrelid::regclass::text AS t FROM pg_class WHERE oid = \(bind: PaperScan.schema)::regclass
                """).first(decoding: Text.self)?.t)
            var tableOf: [String: String] = [:]
            try await countAndArchive(app, markers: { _, scan, entry, check in
                var markers = Markers()
                markers.counted.append(("keyed entry", Data(entry.marks.utf8)))
                markers.counted.append(("keyed entry ids", uuidBytes(entry.$sheet.id) + uuidBytes(entry.tellerID)))
                markers.counted.append(("machine reading", Data(scan.scores.utf8)))
                markers.counted.append(("check", Data(check.marks.utf8)))
                tableOf = ["keyed entry": PaperEntry.schema, "keyed entry ids": PaperEntry.schema,
                           "machine reading": PaperScan.schema, "check": PaperScanCheck.schema, "page image": toast]
                // The image as PostgreSQL stores it: a piece of one of its TOAST chunks (compressed, as in the file).
                struct Chunk: Decodable { var d: Data }
                let chunk = try #require(try await sql.raw("""
                    SELECT substring(chunk_data FROM 101 FOR 64) AS d FROM \(unsafeRaw: toast) WHERE chunk_seq = 1 LIMIT 1
                    """).first(decoding: Chunk.self)?.d)
                markers.archived.append(("page image", chunk))
                return markers
            }, found: { _, markers in
                var names: [String] = []
                for (name, marker) in markers {
                    let table = try #require(tableOf[name])
                    if try await pg.files(table).contains(where: { !$0.ranges(of: marker).isEmpty }) { names.append(name) }
                }
                return names
            }, aroundArchiving: { archive in
                // A transaction begun before the archive and ending a moment after it: the rewrite must wait for it,
                // or it copies the erased image's versions, which that snapshot could still see.
                let reply = try await withOlderSnapshot(app) { try await archive() }
                return reply
            })
        }
    }
}

func uuidBytes(_ id: UUID) -> Data {
    withUnsafeBytes(of: id.uuid) { Data($0) }
}

/// 64 bytes of `data` that occur in it once and vary (not a run of white paper).
func distinctiveWindow(of data: Data) -> Data? {
    let bytes = [UInt8](data)
    for start in stride(from: bytes.count / 2, to: bytes.count - 64, by: 97) {
        let window = Data(bytes[start..<start + 64])
        if Set(window).count >= 8, data.ranges(of: window).count == 1 { return window }
    }
    return nil
}
