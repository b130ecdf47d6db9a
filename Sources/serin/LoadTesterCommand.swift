import ArgumentParser
import Foundation
import KubeCore
import LoadTester
import Logging
import ServiceLifecycle
import UnixSignals

/// `serin loadtester`: Flagger's load tester API (webhook target for load tests and manual gates).
struct LoadTesterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loadtester",
        abstract: "Run load tests and manual gates for Canary webhooks (a drop-in for Flagger's load tester).",
        discussion: """
            POST / runs the task in the payload's metadata: type cmd (default; in the background, once per canary and \
            command), bash, kubectl or helm (to completion), concord (a Concord process, to completion) or ngrinder \
            (an nGrinder test, in the background). /gate/{check,open,close,approve,halt} and \
            /rollback/{check,open,close} keep manual gates per canary. GET /metrics serves Prometheus metrics.

            Without --allow and --token-file, anyone who can reach the port can run any command as this process: \
            restrict both in shared clusters (NetworkPolicy, --allow hey, a token).
            """)

    @Option(help: "The port to listen on.")
    var port = 9090

    @Option(help: "The address to listen on.")
    var host = "0.0.0.0"

    @Option(help: "The longest a command runs, as a Go duration.")
    var timeout = "1h"

    @Option(
        help:
            "Only run these programs, without a shell (comma-separated, e.g. hey,curl); concord and ngrinder tasks only when named. Default: anything through sh -c."
    )
    var allow: String?

    @Option(help: "Require 'Authorization: Bearer <token>' with the token in this file (env SERIN_LOADTESTER_TOKEN_FILE).")
    var tokenFile: String?

    @Option(help: "Only serve payloads whose namespace matches this regular expression.")
    var namespaceRegexp: String?

    @Option(help: "Send hey's requests through this HTTP proxy (hey ignores HTTP_PROXY); used with the sandbox.")
    var heyProxy: String?

    @OptionGroup var log: LogOptions

    func validate() throws {
        do { _ = try GoDuration(parsing: timeout) } catch { throw ValidationError("--timeout: \(error)") }
        if let heyProxy, URL(string: heyProxy)?.host == nil { throw ValidationError("--hey-proxy: \"\(heyProxy)\" is not a URL") }
        if let namespaceRegexp {
            do { _ = try Regex(namespaceRegexp) } catch { throw ValidationError("--namespace-regexp: \(error)") }
        }
    }

    func run() async throws {
        log.bootstrap()
        let logger = Logger(label: "serin.loadtester")
        var options = LoadTesterOptions()
        options.port = port
        options.host = host
        options.timeout = try GoDuration(parsing: timeout).duration
        if let allow {
            options.policy = CommandPolicy(allowed: Set(allow.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }))
        }
        if let path = tokenFile ?? ProcessInfo.processInfo.environment["SERIN_LOADTESTER_TOKEN_FILE"] {
            options.token = try Self.readToken(path)
        }
        options.namespacePattern = namespaceRegexp
        options.heyProxy = heyProxy.flatMap(URL.init(string:))
        let tester = try LoadTester(options: options, logger: logger)
        let group = ServiceGroup(services: [tester], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }

    /// A token file's content, trimmed; an unreadable or empty file is an error naming it.
    static func readToken(_ path: String, flag: String = "--token-file") throws -> String {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ValidationError("\(flag): failed to read \(path): \(error.localizedDescription)")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw ValidationError("\(flag): \(path) is empty") }
        return token
    }
}
