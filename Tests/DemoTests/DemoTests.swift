import Foundation
import Testing

/// Runs the real `serin demo` binary, as `make demo` does, without a terminal (plain output).
@Suite struct DemoTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `serin` binary next to this test bundle (`make test` builds it first).
    static func binary() throws -> URL {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [directory.appendingPathComponent("serin"), repository.appendingPathComponent(".build/debug/serin")]
        where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        throw DemoTestFailure(description: "no serin binary next to \(directory.path): run `swift build --product serin` first (make test does)")
    }

    @Test func theDemoPromotesTheGoodReleaseAndRollsBackTheBadOne() async throws {
        let process = Process()
        process.executableURL = try Self.binary()
        process.arguments = ["demo"]
        process.currentDirectoryURL = Self.repository
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = await Task.detached { String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }.value
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(!text.contains("\u{1B}["), "no colour codes without a terminal")
        for expected in ["get canaries -n demo -w", "describe canary httpbin -n demo", "deploy/httpbin-primary",
                         "Advance httpbin.demo canary weight 60", "Promotion completed! Scaling down httpbin.demo",
                         "Rolling back httpbin.demo failed checks threshold reached 3", "promoted in", "rolled back in",
                         "primary now runs      kennethreitz/httpbin:v2", "The story happened as expected."] {
            #expect(text.contains(expected), "missing \"\(expected)\" in:\n\(text)")
        }
        #expect(text.contains("[####################] 100%"), "a weight bar reached 100%")
    }
}

struct DemoTestFailure: Error, CustomStringConvertible {
    var description: String
}
