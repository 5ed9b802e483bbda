import Foundation
import Testing
@testable import PingyiCore

@Suite("Audit hash chain")
struct AuditChainTests {
    /// A stand-in for SHA-256 (deterministic, collision-poor enough for these tests).
    static func fakeHash(_ text: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return String(repeating: "0", count: 48) + String(h, radix: 16).leftPad(16)
    }

    func chain(_ contents: [String]) -> [AuditLink] {
        var previous = AuditChain.genesis
        return contents.enumerated().map { index, content in
            let hash = AuditChain.hash(seq: index + 1, previous: previous, content: content, using: Self.fakeHash)
            defer { previous = hash }
            return AuditLink(seq: index + 1, previousHash: previous, hash: hash, content: content)
        }
    }

    func verify(_ links: [AuditLink], head: AuditLink?) -> [AuditChainProblem] {
        AuditChain.verify(links, headSeq: head?.seq ?? 0, headHash: head?.hash ?? AuditChain.genesis, using: Self.fakeHash)
    }

    @Test func anIntactChainVerifies() {
        let links = chain(["a", "b", "c", "d"])
        #expect(verify(links, head: links.last).isEmpty)
        #expect(verify([], head: nil).isEmpty)
    }

    @Test func anEditIsFound() {
        var links = chain(["a", "b", "c", "d"])
        links[1].content = "b2"
        #expect(verify(links, head: links.last) == [.edited(seq: 2)])
        // Re-hashing the edited entry only moves the break to the next link.
        links[1].hash = AuditChain.hash(seq: 2, previous: links[0].hash, content: "b2", using: Self.fakeHash)
        #expect(verify(links, head: links.last) == [.brokenLink(seq: 3)])
    }

    @Test func aDeletionIsFound() {
        let links = chain(["a", "b", "c", "d"])
        #expect(verify([links[0], links[2], links[3]], head: links.last) == [.missing(after: 1, before: 3), .brokenLink(seq: 3)])
        #expect(verify(Array(links.prefix(3)), head: links.last) == [.headMismatch(expectedSeq: 4, foundSeq: 3)])
        #expect(verify(Array(links.dropFirst()), head: links.last) == [.missing(after: 0, before: 2), .brokenLink(seq: 2)])
    }

    @Test func aReorderingIsFound() {
        let links = chain(["a", "b", "c", "d"])
        var swapped = links
        swapped[1].content = links[2].content
        swapped[2].content = links[1].content
        #expect(verify(swapped, head: links.last) == [.edited(seq: 2), .edited(seq: 3)])
        let moved = [links[0], links[2], links[1], links[3]]
        #expect(verify(moved, head: links.last).contains(.brokenLink(seq: 3)))
    }

    @Test func fieldsCannotBeShiftedBetweenLines() {
        #expect(AuditChain.canonical(["a\nb", "c"]) != AuditChain.canonical(["a", "b\nc"]))
        #expect(AuditChain.canonical(["a\\nb"]) != AuditChain.canonical(["a\nb"]))
    }
}

private extension String {
    func leftPad(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
