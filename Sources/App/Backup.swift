import Fluent
import FluentSQLiteDriver
import Foundation
import SQLKit
import Vapor

/// What a backup or restore did, for the one line the command prints.
struct BackupReport: Sendable, Equatable {
    var path: String
    var bytes: Int
    var kind: String
}

/// A backup or restore that cannot go ahead; the message says why, in Chinese and English.
struct BackupError: Error, CustomStringConvertible, Equatable {
    var description: String
}

enum BackupKind: String {
    case sqlite = "SQLite"
    case postgres = "PostgreSQL (pg_dump)"

    /// From the file's first bytes: SQLite's header, or pg_dump's custom format.
    static func of(file path: String) -> BackupKind? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 16)) ?? Data()
        if head.starts(with: Data("SQLite format 3\0".utf8)) { return .sqlite }
        if head.starts(with: Data("PGDMP".utf8)) { return .postgres }
        return nil
    }
}

/// `pingyi backup PATH`: a consistent snapshot while the server keeps running. SQLite: `VACUUM INTO` (one read
/// transaction, so ballots committing meanwhile are either wholly in or wholly out); PostgreSQL: `pg_dump` in its custom
/// format (one snapshot). Written beside PATH first and renamed, so PATH is never half a backup.
func backupDatabase(_ app: Application, to path: String) async throws -> BackupReport {
    let target = URL(fileURLWithPath: path).standardizedFileURL.path
    guard !FileManager.default.fileExists(atPath: target) else {
        throw BackupError(description: "备份文件已存在，不覆盖：\(target) / backup file exists, not overwritten")
    }
    let partial = target + ".partial-\(UUID().uuidString.prefix(8))"
    defer { try? FileManager.default.removeItem(atPath: partial) }
    let kind: BackupKind
    switch app.databaseLocation {
    case .sqliteFile, .sqliteMemory:
        kind = .sqlite
        try await (app.db as! any SQLDatabase).raw("VACUUM INTO \(bind: partial)").run()
    case .postgres(let url, let searchPath):
        kind = .postgres
        var arguments = ["--format=custom", "--no-owner", "--file=\(partial)"]
        if let searchPath { arguments.append("--schema=\(searchPath)") }
        try await runTool("pg_dump", arguments + [url])
    }
    try syncFile(partial)
    guard rename(partial, target) == 0 else {
        throw BackupError(description: "无法写入备份文件（\(String(cString: strerror(errno)))） / cannot write the backup")
    }
    let bytes = (try? FileManager.default.attributesOfItem(atPath: target)[.size] as? Int) ?? 0
    return BackupReport(path: target, bytes: bytes, kind: kind.rawValue)
}

/// `pingyi restore PATH`: replaces the database with a backup. Run with the server stopped. The backup is checked first
/// (its kind, SQLite's integrity check and a migration table) so a wrong or damaged file leaves the database untouched.
func restoreDatabase(_ app: Application, from path: String) async throws -> BackupReport {
    let source = URL(fileURLWithPath: path).standardizedFileURL.path
    guard FileManager.default.fileExists(atPath: source) else {
        throw BackupError(description: "找不到备份文件：\(source) / backup file not found")
    }
    let kind = BackupKind.of(file: source)
    switch app.databaseLocation {
    case .sqliteMemory:
        throw BackupError(description: "内存数据库无法恢复 / cannot restore into an in-memory database")
    case .sqliteFile(let databasePath):
        guard kind == .sqlite else {
            throw BackupError(description: "这不是 SQLite 备份文件 / not an SQLite backup")
        }
        try await checkSQLiteBackup(app, source)
        let target = URL(fileURLWithPath: databasePath).standardizedFileURL.path
        let partial = target + ".restoring-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: partial) }
        try FileManager.default.copyItem(atPath: source, toPath: partial)
        try syncFile(partial)
        // A write-ahead log left by the old file would be replayed into the restored one.
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: target + suffix) }
        // rename(2) swaps the file in one step: the database is either the old one or the restored one.
        guard rename(partial, target) == 0 else {
            throw BackupError(description: "无法替换数据库文件（\(String(cString: strerror(errno)))） / cannot replace the database file")
        }
    case .postgres(let url, let searchPath):
        guard kind == .postgres else {
            throw BackupError(description: "这不是 pg_dump 备份文件 / not a pg_dump backup")
        }
        try await runTool("pg_restore", ["--list", source])
        try await restorePostgres(url: url, schema: searchPath ?? "public", from: source)
    }
    let bytes = (try? FileManager.default.attributesOfItem(atPath: source)[.size] as? Int) ?? 0
    return BackupReport(path: source, bytes: bytes, kind: (kind ?? .sqlite).rawValue)
}

/// `pg_restore --clean` drops a partition's primary key before its table, which PostgreSQL refuses (the key belongs to
/// the partitioned table's), so the restore is run as a script: the schema's partitions dropped first, then pg_restore's
/// own clean and load, all in one transaction (`psql --single-transaction`, stopping at the first error: a failed
/// restore leaves the database as it was).
private func restorePostgres(url: String, schema: String, from source: String) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pingyi-restore-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
    defer { try? FileManager.default.removeItem(at: directory) }
    let dropPartitions = directory.appendingPathComponent("drop-partitions.sql").path
    let script = directory.appendingPathComponent("restore.sql").path
    let sql = """
        SET client_min_messages = warning;
        SELECT format('DROP TABLE IF EXISTS %s CASCADE', c.oid::regclass) FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relispartition AND c.relkind IN ('r', 'p') AND n.nspname = :'schema' \\gexec

        """
    try Data(sql.utf8).write(to: URL(fileURLWithPath: dropPartitions))
    try await runTool("pg_restore", ["--clean", "--if-exists", "--no-owner", "--file=\(script)", source])
    try await runTool("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", "schema=\(schema)", "--single-transaction",
                               "-f", dropPartitions, "-f", script, url])
}

/// Opens the backup on its own (never the live database) and asks SQLite whether it is whole and Pingyi's.
private func checkSQLiteBackup(_ app: Application, _ path: String) async throws {
    let id = DatabaseID(string: "backup-check-\(UUID().uuidString)")
    app.databases.use(.sqlite(.file(path), sqlLogLevel: nil), as: id, isDefault: false)
    defer { app.databases.reinitialize(id) }
    guard let sql = app.db(id) as? any SQLDatabase else { return }
    struct Row: Decodable { var integrity_check: String }
    struct Count: Decodable { var n: Int }
    do {
        let result = try await sql.raw("PRAGMA integrity_check").all(decoding: Row.self).map(\.integrity_check)
        guard result == ["ok"] else { throw BackupError(description: "备份文件已损坏 / backup is damaged: \(result.prefix(3))") }
        let migrations = try await sql.raw("SELECT count(*) AS n FROM _fluent_migrations").first(decoding: Count.self)?.n ?? 0
        guard migrations > 0 else { throw BackupError(description: "备份中没有评议数据 / not a Pingyi database") }
    } catch let error as BackupError {
        throw error
    } catch {
        throw BackupError(description: "备份文件无法读取 / backup unreadable: \(describeDatabaseError(error))")
    }
}

private func syncFile(_ path: String) throws {
    let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
    try handle.synchronize()
    try handle.close()
}

/// Runs a PostgreSQL client tool; its error output becomes the message.
private func runTool(_ tool: String, _ arguments: [String]) async throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [tool] + arguments
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    do { try process.run() } catch {
        throw BackupError(description: "无法运行 \(tool)（请安装 PostgreSQL 客户端） / cannot run \(tool): install the PostgreSQL client")
    }
    let output = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        let detail = String(decoding: output, as: UTF8.self).replacingOccurrences(of: "\n", with: " ").prefix(300)
        throw BackupError(description: "\(tool) 失败 / \(tool) failed: \(detail)")
    }
}
