import App
import Foundation
import Logging
import Vapor

@main
enum Entrypoint {
    static func main() async {
        if CommandLine.arguments.dropFirst().first.map({ ["--version", "version"].contains($0) }) == true {
            FileHandle.standardOutput.write(Data((PingyiVersion.line + "\n").utf8))
            exit(0)
        }
        let app: Application
        do {
            var environment = try Environment.detect()
            try LoggingSystem.bootstrap(from: &environment)
            let location = try DatabaseLocation.fromEnvironment()
            app = try await Application.make(environment)
            try await configure(app, database: location)
        } catch {
            fail(error)
        }
        do {
            // Not app.execute(): it logs the error again before we print our one line.
            try await app.startup()
            try await app.running?.onStop.get()
            try await app.asyncShutdown()
        } catch {
            try? await app.asyncShutdown()
            fail(error)
        }
    }

    /// One line in Chinese and English, non-zero exit, no stack trace.
    static func fail(_ error: any Error) -> Never {
        let line: String
        if let error = error as? PingyiStartupError {
            line = error.line
        } else {
            let detail = String(describing: error).replacingOccurrences(of: "\n", with: " ")
            line = "错误 / Error: \(detail)"
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
        exit(1)
    }
}
