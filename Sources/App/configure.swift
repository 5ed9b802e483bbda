import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Leaf
import Vapor

extension DatabaseLocation: StorageKey {
    public typealias Value = DatabaseLocation
}

extension Application {
    /// The database this application was configured with.
    public var databaseLocation: DatabaseLocation {
        storage[DatabaseLocation.self] ?? .sqliteMemory
    }
}

/// Configures databases, migrations, middleware, views and routes. Does not touch the database.
public func configure(_ app: Application, database location: DatabaseLocation) async throws {
    app.storage[DatabaseLocation.self] = location
    app.directory = resourceDirectory(default: app.directory)
    if case .postgres = location {} else {
        // A query waiting on SQLite's lock holds a blocking thread; the default pool has one per core, too few for a
        // writer to finish while others wait.
        app.threadPool = NIOThreadPool(numberOfThreads: 8)
    }
    switch location {
    case .sqliteFile(let path):
        // Several connections: WAL lets readers work while the ballot writer commits.
        app.databases.use(.sqlite(.file(path), maxConnectionsPerEventLoop: 4, sqlLogLevel: nil), as: .sqlite)
    case .sqliteMemory:
        app.databases.use(.sqlite(.memory, sqlLogLevel: nil), as: .sqlite)
    case .postgres(let url, let searchPath):
        var configuration = try SQLPostgresConfiguration(url: url)
        if let searchPath { configuration.searchPath = [searchPath] }
        // SQL (with bound values, ballot marks among them) is logged only at trace, which no deployment should use.
        // A request waits up to 30 s for a connection (the default 10 s answered 503 while a seal's rewrite waited for
        // older transactions, up to 15 s, on a loaded machine): waiting a little longer beats refusing a ballot.
        app.databases.use(.postgres(configuration: configuration,
                                    maxConnectionsPerEventLoop: PostgresPool.perEventLoop(
                                        total: PostgresPool.connections(Environment.get("PINGYI_DATABASE_CONNECTIONS")),
                                        eventLoops: app.eventLoopGroup.makeIterator().reduce(0) { n, _ in n + 1 }),
                                    connectionPoolTimeout: .seconds(30),
                                    encodingContext: .default, decodingContext: .default, sqlLogLevel: .trace), as: .psql)
        // Tests share one database among hundreds of apps; they start a relay themselves where they need one.
        if app.environment != .testing {
            let relay = LiveRelay(configuration: configuration.coreConfiguration)
            app.liveRelay = relay
            app.lifecycle.use(relay)
        }
    }
    app.migrations.add(PingyiMigrations.all)
    app.trustedProxies = ClientAddress.parse(Environment.get("PINGYI_TRUSTED_PROXIES"))

    app.routes.defaultMaxBodySize = "1mb"
    app.middleware = Middlewares()
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(RouteLoggingMiddleware(logLevel: .info))
    app.middleware.use(APIErrorMiddleware(environment: app.environment))
    app.middleware.use(SetIssuedCookie())
    app.middleware.use(FileMiddleware(publicDirectory: app.directory.publicDirectory))

    app.views.use(.leaf)
    app.asyncCommands.use(PingyiMigrateCommand(), as: "migrate")
    app.asyncCommands.use(PingyiServeCommand(serve: await app.servers.asyncCommand), as: "serve", isDefault: true)
    app.asyncCommands.use(DemoCommand(), as: "demo")
    app.asyncCommands.use(RemindersCommand(), as: "reminders")
    app.asyncCommands.use(AuditCommand(), as: "audit")
    app.asyncCommands.use(BackupCommand(), as: "backup")
    app.asyncCommands.use(RestoreCommand(), as: "restore")
    if app.environment != .testing { app.lifecycle.use(ReminderSchedule()) }

    // Made before the first request, so no two requests race to create them.
    _ = app.liveHub
    _ = app.codeAttempts
    _ = app.loginThrottle
    _ = app.roundSpecs
    _ = app.ballotWriter
    try routes(app)
}

/// Brings the database to the current schema, all or nothing (`SchemaUpgrade`); on SQLite files also turns on WAL
/// with synchronous=FULL.
public func prepareDatabase(_ app: Application) async throws {
    guard let sql = app.db as? any SQLDatabase else { return try await app.autoMigrate() }
    do {
        try await sql.raw("SELECT 1").run()
    } catch {
        throw PingyiStartupError.databaseUnreachable(describeDatabaseError(error))
    }
    do {
        try await SchemaUpgrade.migrate(app)
    } catch let error as PingyiStartupError {
        throw error
    } catch {
        throw PingyiStartupError.migrationFailed(describeDatabaseError(error))
    }
}

/// One line; PSQLError hides its reason from `describing`, `reflecting` names it (never the password).
func describeDatabaseError(_ error: any Error) -> String {
    String(String(reflecting: error).replacingOccurrences(of: "\n", with: " ").prefix(300))
}

/// Where `Resources/Views` and `Public` are: the folder `PINGYI_RESOURCES` names; else the working directory when it
/// holds them; else the folder of the binary itself (the release archive: `pingyi` beside `Resources/` and `Public/`,
/// started by systemd from its data folder); else the package root this binary was built from, so `pingyi` started
/// from another folder (benchmarks, browser tests) still finds its pages.
func resourceDirectory(default directory: DirectoryConfiguration,
                       environment: [String: String] = ProcessInfo.processInfo.environment) -> DirectoryConfiguration {
    let fileManager = FileManager.default
    if let configured = environment["PINGYI_RESOURCES"], !configured.isEmpty {
        return DirectoryConfiguration(workingDirectory: configured)
    }
    if fileManager.fileExists(atPath: directory.viewsDirectory) { return directory }
    let executable = URL(fileURLWithPath: (try? fileManager.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    for folder in [executable.deletingLastPathComponent(), packageRoot] {
        let candidate = DirectoryConfiguration(workingDirectory: folder.path)
        if fileManager.fileExists(atPath: candidate.viewsDirectory) { return candidate }
    }
    return directory
}
