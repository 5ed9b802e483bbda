import Foundation

/// XML text shared by the SVG charts, the QR codes and the XLSX writer.
public enum XML {
    /// Escapes text and attribute values; drops the control characters XML 1.0 forbids even when escaped.
    /// Scalar by scalar: `<` followed by a combining mark is one Character, and must still be escaped.
    public static func escape(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&apos;".unicodeScalars)
            case "\t", "\n", "\r": out.append(scalar)
            default:
                // XML 1.0 forbids the other control characters even when escaped, and U+FFFE/U+FFFF.
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.append(scalar)
            }
        }
        return String(out)
    }
}
