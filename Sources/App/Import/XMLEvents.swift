import Foundation

/// What `XMLEvents.parse` reports, in document order.
protocol XMLEventHandler: AnyObject {
    func start(_ name: String, attributes: [String: String])
    func text(_ string: String)
    func end(_ name: String)
}

/// A small XML reader for the parts of an XLSX workbook (issue 26). Foundation's XMLParser is libxml2, a shared library
/// the release archive would need on a server that has nothing installed (`scripts/test-archive` named it missing in
/// a bare Debian root); a workbook part needs only elements, attributes, text, the five named entities, character
/// references, CDATA, comments and processing instructions. Names are reported as written (with their prefix).
/// Returns false for what is not well-formed: an unclosed or mismatched tag, an unknown entity, a document type.
enum XMLEvents {
    static func parse(_ data: Data, into handler: some XMLEventHandler) -> Bool {
        var reader = Reader(bytes: [UInt8](data))
        return reader.run(handler)
    }

    private struct Reader {
        let bytes: [UInt8]
        var at = 0
        var open: [String] = []

        init(bytes: [UInt8]) {
            self.bytes = bytes
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { at = 3 }  // a byte order mark
        }

        mutating func run(_ handler: some XMLEventHandler) -> Bool {
            var sawRoot = false
            var pending: [UInt8] = []
            while at < bytes.count {
                guard bytes[at] == UInt8(ascii: "<") else {
                    pending.append(bytes[at])
                    at += 1
                    continue
                }
                if !pending.isEmpty {
                    guard let text = Self.decode(pending) else { return false }
                    if !open.isEmpty { handler.text(text) } else if !text.allSatisfy(\.isWhitespace) { return false }
                    pending.removeAll(keepingCapacity: true)
                }
                if has("<?") {
                    guard skip(past: "?>") else { return false }
                } else if has("<!--") {
                    guard skip(past: "-->") else { return false }
                } else if has("<![CDATA[") {
                    let start = at + 9
                    guard skip(past: "]]>"), !open.isEmpty else { return false }
                    handler.text(String(decoding: bytes[start..<(at - 3)], as: UTF8.self))
                } else if has("<!") {
                    return false
                } else if has("</") {
                    at += 2
                    let name = readName()
                    skipSpace()
                    guard at < bytes.count, bytes[at] == UInt8(ascii: ">"), open.popLast() == name else { return false }
                    at += 1
                    handler.end(name)
                } else {
                    at += 1
                    let name = readName()
                    guard !name.isEmpty, open.isEmpty ? !sawRoot : true else { return false }
                    var attributes: [String: String] = [:]
                    while true {
                        skipSpace()
                        guard at < bytes.count else { return false }
                        if bytes[at] == UInt8(ascii: ">") {
                            at += 1
                            open.append(name)
                            handler.start(name, attributes: attributes)
                            break
                        }
                        if has("/>") {
                            at += 2
                            handler.start(name, attributes: attributes)
                            handler.end(name)
                            break
                        }
                        let key = readName()
                        skipSpace()
                        guard !key.isEmpty, at < bytes.count, bytes[at] == UInt8(ascii: "=") else { return false }
                        at += 1
                        skipSpace()
                        guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") || bytes[at] == UInt8(ascii: "'") else { return false }
                        let quote = bytes[at]
                        at += 1
                        let start = at
                        while at < bytes.count, bytes[at] != quote { at += 1 }
                        guard at < bytes.count, let value = Self.decode(Array(bytes[start..<at])), attributes[key] == nil else { return false }
                        at += 1
                        attributes[key] = value
                    }
                    sawRoot = true
                }
            }
            return sawRoot && open.isEmpty && (pending.isEmpty || Self.decode(pending)?.allSatisfy(\.isWhitespace) == true)
        }

        func has(_ prefix: String) -> Bool {
            let utf8 = Array(prefix.utf8)
            return at + utf8.count <= bytes.count && bytes[at..<(at + utf8.count)].elementsEqual(utf8)
        }

        /// Moves past the next `end`; false when there is none.
        mutating func skip(past end: String) -> Bool {
            let utf8 = Array(end.utf8)
            while at + utf8.count <= bytes.count {
                if bytes[at..<(at + utf8.count)].elementsEqual(utf8) {
                    at += utf8.count
                    return true
                }
                at += 1
            }
            return false
        }

        mutating func skipSpace() {
            while at < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[at]) { at += 1 }
        }

        mutating func readName() -> String {
            let start = at
            while at < bytes.count, ![0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: ">"), UInt8(ascii: "/"), UInt8(ascii: "="),
                                      UInt8(ascii: "<")].contains(bytes[at]) { at += 1 }
            return String(decoding: bytes[start..<at], as: UTF8.self)
        }

        /// Text with its entities and character references resolved and line ends made `\n`; nil for an unknown entity.
        static func decode(_ raw: [UInt8]) -> String? {
            var out: [UInt8] = []
            out.reserveCapacity(raw.count)
            var i = 0
            while i < raw.count {
                let b = raw[i]
                if b == 0x0D {
                    out.append(0x0A)
                    i += (i + 1 < raw.count && raw[i + 1] == 0x0A) ? 2 : 1
                    continue
                }
                guard b == UInt8(ascii: "&") else { out.append(b); i += 1; continue }
                guard let semicolon = raw[i...].firstIndex(of: UInt8(ascii: ";")) else { return nil }
                let entity = String(decoding: raw[(i + 1)..<semicolon], as: UTF8.self)
                switch entity {
                case "lt": out.append(UInt8(ascii: "<"))
                case "gt": out.append(UInt8(ascii: ">"))
                case "amp": out.append(UInt8(ascii: "&"))
                case "quot": out.append(UInt8(ascii: "\""))
                case "apos": out.append(UInt8(ascii: "'"))
                default:
                    let number: UInt32?
                    if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                        number = UInt32(entity.dropFirst(2), radix: 16)
                    } else if entity.hasPrefix("#") {
                        number = UInt32(entity.dropFirst(), radix: 10)
                    } else {
                        number = nil
                    }
                    guard let number, number != 0, let scalar = Unicode.Scalar(number) else { return nil }
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                }
                i = semicolon + 1
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}

extension XMLEventHandler {
    func text(_ string: String) {}
    func end(_ name: String) {}
}
