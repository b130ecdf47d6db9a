import Foundation
@testable import KubeClient
import KubeCore
import SerinTesting
import Synchronization
import Testing

/// A shell-script exec plugin that counts its runs and returns `tok-<run>` expiring at `$EXPIRES`.
func writePlugin(in folder: TemporaryFolder, version: String = ExecCredentialPlugin.v1) throws -> String {
    try folder.write(
        "plugin.sh",
        """
        #!/bin/sh
        n=$(cat "$COUNTER" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$COUNTER"
        printf '%s' "$KUBERNETES_EXEC_INFO" > "$INFO"
        echo '{"apiVersion":"\(version)","kind":"ExecCredential","status":{"token":"tok-'$n'","expirationTimestamp":"'$EXPIRES'"}}'
        """, executable: true)
}

func execConfig(_ folder: TemporaryFolder, command: String, expires: String) -> ExecConfig {
    ExecConfig(
        apiVersion: ExecCredentialPlugin.v1, command: command,
        env: [
            .init(name: "COUNTER", value: folder.path + "/count"), .init(name: "INFO", value: folder.path + "/info"),
            .init(name: "EXPIRES", value: expires),
        ],
        interactiveMode: .never)
}

@Suite struct ExecCredentialTests {
    @Test func theTokenIsReusedUntilItExpiresThenThePluginRunsAgain() async throws {
        let folder = try TemporaryFolder()
        let script = try writePlugin(in: folder)
        let time = VirtualTime()
        let expires = KubeTime(time.date.addingTimeInterval(3600)).description
        let provider = CredentialProvider(
            authentication: .exec(execConfig(folder, command: script, expires: expires), clusterInfo: nil), clock: .virtual(time))
        #expect(try await provider.authorizationHeader() == "Bearer tok-1")
        time.advance(by: .seconds(3000))
        #expect(try await provider.authorizationHeader() == "Bearer tok-1", "still valid: no new run")
        time.advance(by: .seconds(600 - CredentialProvider.execRefreshMargin + 1))
        #expect(try await provider.authorizationHeader() == "Bearer tok-2", "refreshed before expirationTimestamp")
        #expect(try folder.read("count").trimmingCharacters(in: .whitespacesAndNewlines) == "2")
        let info = try JSONValue(parsing: folder.read("info"))
        #expect(info["kind"] == "ExecCredential" && info[path: "spec", "interactive"] == false)
    }

    @Test func aRejectedTokenIsRefreshedAndTheRequestRetriedOnce() async throws {
        let folder = try TemporaryFolder()
        let script = try writePlugin(in: folder)
        let expires = KubeTime(Date().addingTimeInterval(3600)).description
        // The plugin is found through PATH lookup of `sh`, with the script as its argument.
        var exec = execConfig(folder, command: "sh", expires: expires)
        exec.args = [script]
        try await withTestServer(handler: { request in
            request.headers["authorization"] == "Bearer tok-2"
                ? .json(#"{"metadata":{"name":"default"}}"#) : .json(statusJSON(code: 401, reason: "Unauthorized"), status: 401)
        }) { server in
            let object = try await using(server.client(authentication: .exec(exec, clusterInfo: nil))) { client in
                try await client.resource(.namespaces).get("default")
            }
            #expect(object.name == "default")
            #expect(await server.requests.map { $0.headers["authorization"] } == ["Bearer tok-1", "Bearer tok-2"])
        }
    }

    @Test func aPluginThatKeepsFailingGivesAClearError() async throws {
        let folder = try TemporaryFolder()
        let script = try folder.write("fail.sh", "#!/bin/sh\necho 'token expired, run: login' >&2\nexit 3\n", executable: true)
        let provider = CredentialProvider(authentication: .exec(execConfig(folder, command: script, expires: ""), clusterInfo: nil))
        await #expect {
            try await provider.authorizationHeader()
        } throws: { error in
            "\(error)" == "failed to run exec credential plugin \"\(script)\": exited with status 3: token expired, run: login"
        }
    }

    @Test func aMissingPluginShowsTheInstallHint() async throws {
        var config = ExecConfig(apiVersion: ExecCredentialPlugin.v1, command: "serin-no-such-plugin", interactiveMode: .never)
        config.installHint = "install it with: apt-get install serin-no-such-plugin"
        let provider = CredentialProvider(authentication: .exec(config, clusterInfo: nil))
        await #expect {
            try await provider.authorizationHeader()
        } throws: { error in
            "\(error)".contains("executable not found; install it with: apt-get install serin-no-such-plugin")
        }
    }

    @Test func interactiveModeAlwaysNeedsATerminal() async throws {
        let folder = try TemporaryFolder()
        var plugin = ExecCredentialPlugin(
            config: ExecConfig(apiVersion: ExecCredentialPlugin.v1, command: try writePlugin(in: folder), interactiveMode: .always))
        plugin.stdinIsTerminal = false
        await #expect {
            try await plugin.run()
        } throws: { error in
            "\(error)".contains("interactiveMode is Always but standard input is not a terminal")
        }
    }

    @Test func theOutputMustMatchTheRequestedVersion() throws {
        let plugin = ExecCredentialPlugin(config: ExecConfig(apiVersion: ExecCredentialPlugin.v1, command: "x"))
        let wrong = #"{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"t"}}"#
        #expect { try plugin.parse(Data(wrong.utf8)) } throws: { "\($0)".contains("expected \"client.authentication.k8s.io/v1\"") }
        let noToken = #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}}"#
        #expect { try plugin.parse(Data(noToken.utf8)) } throws: { "\($0)".contains("no status.token") }
        let good = #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t"}}"#
        #expect(try plugin.parse(Data(good.utf8)).expiration == nil)
    }
}

@Suite struct TokenFileTests {
    @Test func theFileIsReadAgainAfterAMinute() async throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("token", "first\n")
        let time = VirtualTime()
        let provider = CredentialProvider(authentication: .tokenFile(path: path), clock: .virtual(time))
        #expect(try await provider.authorizationHeader() == "Bearer first")
        try folder.write("token", "rotated")
        time.advance(by: .seconds(30))
        #expect(try await provider.authorizationHeader() == "Bearer first")
        time.advance(by: .seconds(CredentialProvider.tokenFileRefreshInterval))
        #expect(try await provider.authorizationHeader() == "Bearer rotated")
    }

    @Test func anUnreadableFileIsNamed() async throws {
        let provider = CredentialProvider(authentication: .tokenFile(path: "/no/such/token"))
        await #expect {
            try await provider.authorizationHeader()
        } throws: { "\($0)" == "failed to read token file /no/such/token: the file cannot be read" }
    }
}

@Suite struct RateLimiterTests {
    @Test func burstIsImmediateThenRequestsAreSpacedByQPS() async throws {
        let limiter = RateLimiter(qps: 1000, burst: 5, clock: ContinuousClock())
        let started = ContinuousClock.now
        for _ in 0..<5 { try await limiter.acquire() }
        let burst = ContinuousClock.now - started
        for _ in 0..<50 { try await limiter.acquire() }
        let limited = ContinuousClock.now - started
        #expect(burst < .milliseconds(20))
        #expect(limited >= .milliseconds(45), "50 requests past the burst at 1000/s take about 50 ms")
    }

    @Test func normalRequestsDoNotWaitBehindBackgroundOnes() async throws {
        // On a clock that moves only when told: every request is queued before any time passes.
        let time = VirtualTime()
        let limiter = RateLimiter(qps: 100, burst: 1, clock: OperatorClock.virtual(time))
        let done = Completions()
        let total = 63
        /// Until every request not yet through is waiting on the clock.
        func settled() async throws -> Bool {
            try await eventually(timeout: .seconds(30)) { time.sleepers.count == total - done.order.withLock { $0.count } }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<60 {
                group.addTask {
                    try await limiter.acquire(.background)
                    done.order.withLock { $0.append(.background) }
                }
            }
            #expect(
                try await eventually(timeout: .seconds(30)) { done.order.withLock { $0.count } == 1 && time.sleepers.count == 59 },
                "one background request took the burst, the others wait")
            for _ in 0..<3 {
                group.addTask {
                    try await limiter.acquire(.normal)
                    done.order.withLock { $0.append(.normal) }
                }
            }
            #expect(try await settled(), "the normal requests queued too")
            while done.order.withLock({ $0.count }) < total {
                time.advance(by: .milliseconds(10))  // one token
                #expect(try await settled())
            }
            try await group.waitForAll()
        }
        let order = done.order.withLock { $0 }
        // In arrival order all 60 background requests would go first; the normal ones go right after the burst.
        #expect(Array(order.prefix(4)) == [.background, .normal, .normal, .normal], "\(order)")
        #expect(order.count == total)
    }
}

/// The order rate-limited requests got through.
final class Completions: Sendable {
    let order = Mutex<[RequestPriority]>([])
}
