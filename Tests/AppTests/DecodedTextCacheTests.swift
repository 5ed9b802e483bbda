import Foundation
import Testing
@testable import App

/// `DecodedTextCache`: a row's text is decoded once, and again whenever the stored text differs.
@Suite struct DecodedTextCacheTests {
    @Test func decodesOncePerTextAndAgainWhenTheTextChanges() throws {
        let cache = DecodedTextCache<Int>()
        let row = UUID()
        var decodes = 0
        func read(_ text: String) throws -> Int {
            try cache.value(of: row, text: text) { text in
                decodes += 1
                guard let value = Int(text) else { throw CocoaError(.coderInvalidValue) }
                return value
            }
        }
        #expect(try read("1") == 1 && decodes == 1)
        #expect(try read("1") == 1 && decodes == 1, "the same text: the kept copy")
        #expect(try read("2") == 2 && decodes == 2, "another text for the same row: decoded afresh")
        cache.removeAll()
        #expect(try read("2") == 2 && decodes == 3, "emptied: decoded again")
        #expect(throws: (any Error).self) { try read("not a number") }
        #expect(try read("2") == 2 && decodes == 4, "a failed decode keeps nothing; the good copy stays kept")
    }
}
