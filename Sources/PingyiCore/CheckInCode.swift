import Foundation

/// 签到码: the personal code on a check-in card. 8 characters without look-alikes (no 0/O, 1/I/L): easy to type from a
/// card, 40 bits, unique in the campaign. Not a secret and not the voting code (`VotingCode`), which is typed once
/// and carries more bits.
public enum CheckInCode {
    public static let alphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
    public static let length = 8
    /// A typed or scanned code longer than this is no code at all.
    public static let maxTypedLength = 40

    /// A new code not in `used`, which then holds it too.
    public static func generate(avoiding used: inout Set<String>) -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(avoiding: &used, using: &generator)
    }

    public static func generate(avoiding used: inout Set<String>, using generator: inout some RandomNumberGenerator) -> String {
        var code: String
        repeat {
            code = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
        } while used.contains(code)
        used.insert(code)
        return code
    }

    /// A code as typed or scanned: spaces (also full-width), hyphens and case do not matter.
    public static func normalized(_ raw: String) -> String {
        String(raw.uppercased().unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) && $0 != "-" && $0 != "\u{3000}" })
    }

    /// The normalized code when it could be one (not empty, not too long), else `nil`.
    public static func lookupKey(_ raw: String) -> String? {
        let code = normalized(raw)
        return code.isEmpty || code.count > maxTypedLength ? nil : code
    }
}
