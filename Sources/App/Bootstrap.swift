import Fluent
import Vapor

/// What the first start did, for the lines `pingyi serve` prints.
public struct BootstrapReport: Sendable {
    /// The generated admin password, present only on the start that created the admin without PINGYI_ADMIN_PASSWORD.
    public var generatedAdminPassword: String?
    public var adminCreated: Bool
    public var demoLoaded: Bool
}

/// On a fresh database: creates the first admin and loads the demo campaign. On later starts: does nothing.
public func bootstrap(_ app: Application, adminPassword: String?) async throws -> BootstrapReport {
    let db = app.db
    if let adminPassword, adminPassword.count < 8 {
        throw PingyiStartupError.badSetting("PINGYI_ADMIN_PASSWORD", "至少 8 个字符 / at least 8 characters")
    }
    let userCount = try await User.query(on: db).count()
    let campaignCount = try await Campaign.query(on: db).count()
    let fresh = userCount == 0 && campaignCount == 0
    var report = BootstrapReport(generatedAdminPassword: nil, adminCreated: false, demoLoaded: false)
    guard try await User.query(on: db).filter(\.$username == "admin").count() == 0 else { return report }
    let password = adminPassword ?? generatePassword()
    let hash = try await app.password.async.hash(password).get()
    try await User(username: "admin", passwordHash: hash, displayName: "系统管理员", role: .systemAdmin).save(on: db)
    report.adminCreated = true
    report.generatedAdminPassword = adminPassword == nil ? password : nil
    if fresh {
        try await DemoCampaign.load(on: db)
        report.demoLoaded = true
    }
    return report
}

/// 12 characters from an alphabet without look-alikes (no 0/O, 1/l/I), about 70 bits.
func generatePassword() -> String {
    let alphabet = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
    var generator = SystemRandomNumberGenerator()
    return String((0..<12).map { _ in alphabet.randomElement(using: &generator)! })
}
