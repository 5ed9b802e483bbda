import Foundation
import Testing

/// The shape of `Sources/App` (issue 23): a controller decodes, calls a named operation or query, and maps the answer.
/// It never opens a transaction, runs a query, or checks a role by hand — the access policy is declared where the route
/// is registered (`Access/`), writes live in `Operations/`, reads in `Queries/`. This reads the controllers' source and
/// fails when one drifts back.
@Suite("Architecture fitness: controllers stay thin")
struct ArchitectureFitnessTests {
    /// What a controller must not contain, and why.
    static let forbidden: [(pattern: String, what: String)] = [
        ("writeTransaction", "opens a write transaction (an operation in Operations/ opens its own)"),
        (".transaction", "opens a transaction"),
        (".query(on:", "runs a query (a named read model in Queries/ or an operation)"),
        (".find(", "looks a row up (req.campaign / req.round / req.child, or a query)"),
        ("SQLDatabase", "runs SQL"),
        (".raw(", "runs raw SQL"),
        ("claimRow(", "claims a row (an operation's work)"),
        ("findCampaign(", "looks the campaign up by hand (declare the route's access; req.campaign())"),
        ("findChild(", "looks a campaign's row up by hand (req.child)"),
        ("actor.role ==", "checks a role by hand (declare it at registration: route.requiring(…))"),
        ("actor.role !=", "checks a role by hand"),
        (".isAdmin", "checks a role by hand"),
        (".isSystemAdmin", "checks a role by hand"),
        (".isMeetingStaff", "checks a role by hand"),
    ]

    /// Controllers not yet moved to the shape — issue 23. This list only shrinks: a file on it that is already clean
    /// fails the test, so whoever cleans a file also takes it off.
    static let notYetMoved: Set<String> = []

    static var controllersFolder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/App/Controllers")
    }

    /// Each controller file with the forbidden things it contains (comments left out).
    static func findings() throws -> [String: [String]] {
        let files = try FileManager.default.contentsOfDirectory(atPath: controllersFolder.path).filter { $0.hasSuffix(".swift") }
        var result: [String: [String]] = [:]
        for file in files {
            let text = try String(contentsOf: controllersFolder.appendingPathComponent(file), encoding: .utf8)
            var found: [String] = []
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                if code.hasPrefix("//") { continue }
                for (pattern, what) in forbidden where code.contains(pattern) {
                    found.append("\(file):\(number + 1) \(what): \(code.prefix(100))")
                }
            }
            result[file] = found
        }
        return result
    }

    @Test func theFolderIsFound() throws {
        #expect(try Self.findings().count >= 10)
    }

    @Test func noControllerOpensATransactionRunsAQueryOrChecksARoleByHand() throws {
        let drifted = try Self.findings().filter { !Self.notYetMoved.contains($0.key) }.values.flatMap { $0 }.sorted()
        #expect(drifted.isEmpty, "controllers doing an operation's or the policy's work:\n\(drifted.joined(separator: "\n"))")
    }

    @Test func theListOfControllersNotYetMovedOnlyShrinks() throws {
        let findings = try Self.findings()
        let clean = Self.notYetMoved.filter { findings[$0]?.isEmpty ?? true }.sorted()
        #expect(clean.isEmpty, "already clean (or gone): take these off ArchitectureFitnessTests.notYetMoved: \(clean)")
    }
}
