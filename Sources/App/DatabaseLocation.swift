import Foundation

/// Where Pingyi keeps its data, from `PINGYI_DATABASE_URL`: `sqlite:PATH`, `sqlite::memory:` or `postgres://…`.
public enum DatabaseLocation: Equatable, Sendable {
    case sqliteFile(path: String)
    case sqliteMemory
    /// `searchPath` puts every table in one schema (tests give each run its own).
    case postgres(url: String, searchPath: String? = nil)

    public static let defaultSQLitePath = "pingyi.sqlite"

    /// The location named by the environment, or `pingyi.sqlite` in the working directory.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(PingyiStartupError) -> DatabaseLocation {
        guard let value = environment["PINGYI_DATABASE_URL"], !value.isEmpty else {
            return .sqliteFile(path: defaultSQLitePath)
        }
        return try parse(value)
    }

    public static func parse(_ value: String) throws(PingyiStartupError) -> DatabaseLocation {
        if value == "sqlite::memory:" || value == "sqlite:memory" { return .sqliteMemory }
        if value.hasPrefix("sqlite:") {
            var path = String(value.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else { throw .badDatabaseURL(value) }
            return .sqliteFile(path: path)
        }
        if value.hasPrefix("postgres://") || value.hasPrefix("postgresql://") {
            guard let url = URL(string: value), url.host != nil else { throw .badDatabaseURL(value) }
            return .postgres(url: value)
        }
        throw .badDatabaseURL(value)
    }

    /// `sqlite` or `postgres`, as `/healthz` reports it.
    public var kind: String {
        switch self {
        case .sqliteFile, .sqliteMemory: "sqlite"
        case .postgres: "postgres"
        }
    }

    /// For start-up messages: never prints a password.
    public var displayName: String {
        switch self {
        case .sqliteFile(let path): return "SQLite \(path)"
        case .sqliteMemory: return "SQLite (内存)"
        case .postgres(let url, _):
            if var parts = URLComponents(string: url) {
                parts.password = parts.password == nil ? nil : "***"
                return "PostgreSQL \(parts.string ?? "")"
            }
            return "PostgreSQL"
        }
    }
}

/// A start-up failure, printed as one line in Chinese and English with a non-zero exit.
public enum PingyiStartupError: Error, Equatable, Sendable {
    case badDatabaseURL(String)
    case databaseUnreachable(String)
    case migrationFailed(String)
    /// A migration failed and the database is as it was before: why, and how it was undone.
    case migrationUndone(String, String)
    /// A migration failed and the SQLite copy taken before could not be put back: why, and the copy's path.
    case migrationNotUndone(String, String)
    case badSetting(String, String)
    /// The variable naming the file, its path, why it cannot be used.
    case tlsFileUnreadable(String, String, String)
    /// Certificate path, key path.
    case tlsKeyMismatch(String, String)

    public var line: String {
        switch self {
        case .badDatabaseURL(let value):
            "错误：无法识别的数据库地址 PINGYI_DATABASE_URL=\(value)，应为 sqlite:路径 或 postgres://… / Error: unrecognized PINGYI_DATABASE_URL (expected sqlite:PATH or postgres://…)"
        case .databaseUnreachable(let detail):
            "错误：无法连接数据库（\(detail)） / Error: cannot reach the database (\(detail))"
        case .migrationFailed(let detail):
            "错误：数据库迁移失败（\(detail)） / Error: database migration failed (\(detail))"
        case .migrationUndone(let detail, let how):
            "错误：数据库迁移失败，数据库保持迁移前的原状（\(how)）：\(detail) / Error: database migration failed; the database is as it was before (\(how)): \(detail)"
        case .migrationNotUndone(let detail, let copy):
            "错误：数据库迁移失败，且未能放回迁移前的副本 \(copy)，请停止服务后用它替换数据库文件：\(detail) / Error: database migration failed and the copy taken before migrating could not be put back; stop the server and replace the database file with \(copy): \(detail)"
        case .badSetting(let name, let detail):
            "错误：配置 \(name) 无效：\(detail) / Error: invalid setting \(name): \(detail)"
        case .tlsFileUnreadable(let name, let path, let detail):
            "错误：无法读取 \(name)=\(path)：\(detail) / Error: cannot use \(name)=\(path): \(detail)"
        case .tlsKeyMismatch(let cert, let key):
            "错误：私钥 PINGYI_TLS_KEY=\(key) 与证书 PINGYI_TLS_CERT=\(cert) 不匹配（不是同一对） / Error: the private key PINGYI_TLS_KEY does not match the certificate PINGYI_TLS_CERT"
        }
    }
}
