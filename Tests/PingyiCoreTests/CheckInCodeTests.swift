import Foundation
import Testing
@testable import PingyiCore

@Suite("Check-in codes (签到码)")
struct CheckInCodeTests {
    @Test func codesAreEightCharactersWithoutLookAlikesAndUnique() {
        var used = Set<String>()
        for _ in 0..<500 {
            let code = CheckInCode.generate(avoiding: &used)
            #expect(code.count == 8)
            #expect(code.allSatisfy { CheckInCode.alphabet.contains($0) })
        }
        #expect(used.count == 500)
        #expect(!CheckInCode.alphabet.contains { "01OIL".contains($0) })
    }

    @Test func aTypedCodeIgnoresCaseSpacesAndHyphens() {
        #expect(CheckInCode.normalized(" abcd-efgh ") == "ABCDEFGH")
        #expect(CheckInCode.normalized("AB\u{3000}CD EF\tGH") == "ABCDEFGH")
        #expect(CheckInCode.lookupKey(" - ") == nil)
        #expect(CheckInCode.lookupKey(String(repeating: "A", count: 41)) == nil)
        #expect(CheckInCode.lookupKey("abcd efgh") == "ABCDEFGH")
    }
}
