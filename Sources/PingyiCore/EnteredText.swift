import Foundation

/// 录入文字的规则: text that people type or import (names, units, titles, comments) is printed on notices, sheets,
/// slips and terminals. It may not carry control characters (NUL, ESC: they reach `pingyi reminders` and logs),
/// nor bidirectional controls (they reorder what a reader sees), and a name must show at least one visible character.
public enum EnteredText {
    public enum Problem: Sendable, Hashable {
        case controlCharacter
        case bidiControl
        case invisible

        public var message: String {
            switch self {
            case .controlCharacter: "含有控制字符"
            case .bidiControl: "含有改变文字方向的不可见字符"
            case .invisible: "没有可见的文字"
            }
        }
    }

    /// What is wrong with `text`, if anything. Tabs and line breaks are allowed; empty text is not a problem here.
    public static func problem(_ text: String) -> Problem? {
        var visible = false
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control:
                if !["\t", "\n", "\r"].contains(scalar) { return .controlCharacter }
            case .format:
                if scalar.properties.isBidiControl { return .bidiControl }
            case .spaceSeparator, .lineSeparator, .paragraphSeparator, .nonspacingMark, .enclosingMark:
                break
            default:
                visible = true
            }
        }
        return visible || text.isEmpty ? nil : .invisible
    }
}
