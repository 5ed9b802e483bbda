import Foundation

/// One entry of the hash-chained audit log as the verifier sees it.
public struct AuditLink: Sendable, Hashable {
    public var seq: Int
    public var previousHash: String
    public var hash: String
    /// The entry's content in its canonical form (`AuditChain.canonical`).
    public var content: String

    public init(seq: Int, previousHash: String, hash: String, content: String) {
        self.seq = seq
        self.previousHash = previousHash
        self.hash = hash
        self.content = content
    }
}

/// What `AuditChain.verify` found wrong.
public enum AuditChainProblem: Hashable, Sendable {
    /// The entry's content no longer gives its hash: edited.
    case edited(seq: Int)
    /// The sequence jumps: entries from `after + 1` up to `before - 1` are gone.
    case missing(after: Int, before: Int)
    /// The entry does not point at the one before it: reordered, or a forged entry in between.
    case brokenLink(seq: Int)
    /// The head record does not match the last entry: entries removed from the end, or the head changed.
    case headMismatch(expectedSeq: Int, foundSeq: Int)

    public var message: String {
        switch self {
        case .edited(let seq): "第 \(seq) 条日志内容与其摘要不符（被修改）"
        case .missing(let after, let before): "第 \(after + 1)–\(before - 1) 条日志缺失（被删除）"
        case .brokenLink(let seq): "第 \(seq) 条日志未指向前一条（顺序被打乱或被插入）"
        case .headMismatch(let expected, let found): "链头记录为第 \(expected) 条，但日志最后一条为第 \(found) 条（末尾被删除或链头被改）"
        }
    }
}

/// 操作日志哈希链: each entry's hash covers its content and the previous entry's hash, so editing, deleting or
/// reordering any entry breaks every link after it. The hash function is given (SHA-256 in the app).
public enum AuditChain {
    /// The hash before the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    /// The text an entry's hash covers: every field, one per line, with line breaks inside fields escaped.
    public static func canonical(_ fields: [String]) -> String {
        fields.map { $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n") }
            .joined(separator: "\n")
    }

    public static func hash(seq: Int, previous: String, content: String, using sha256: (String) -> String) -> String {
        sha256("\(seq)\n\(previous)\n\(content)")
    }

    /// Checks links ordered by `seq` against the head (the last seq and hash recorded apart from the entries).
    public static func verify(_ links: [AuditLink], headSeq: Int, headHash: String, using sha256: (String) -> String) -> [AuditChainProblem] {
        var problems: [AuditChainProblem] = []
        var expectedSeq = 1
        var previous = genesis
        for link in links {
            if link.seq > expectedSeq { problems.append(.missing(after: expectedSeq - 1, before: link.seq)) }
            if link.previousHash != previous { problems.append(.brokenLink(seq: link.seq)) }
            if hash(seq: link.seq, previous: link.previousHash, content: link.content, using: sha256) != link.hash {
                problems.append(.edited(seq: link.seq))
            }
            expectedSeq = link.seq + 1
            previous = link.hash
        }
        let lastSeq = links.last?.seq ?? 0
        if lastSeq != headSeq || previous != headHash { problems.append(.headMismatch(expectedSeq: headSeq, foundSeq: lastSeq)) }
        return problems
    }
}
