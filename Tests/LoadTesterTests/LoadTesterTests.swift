import Foundation
@testable import LoadTester
import Logging
import NIOHTTP1
import OutboundHTTP
import Synchronization
import Testing

/// A load tester on a free loopback port for one test.
func withLoadTester<T>(_ body: (LoadTester, String) async throws -> T) async throws -> T {
    try await withLoadTester(LoadTesterOptions(), body)
}

func withLoadTester<T>(_ options: LoadTesterOptions, _ body: (LoadTester, String) async throws -> T) async throws -> T {
    var options = options
    options.host = "127.0.0.1"
    options.port = 0
    var logger = Logger(label: "loadtester-test")
    logger.logLevel = .warning
    let tester = try LoadTester(options: options, logger: logger)
    let (port, server) = await tester.start()
    defer { server.cancel() }
    let result = try await body(tester, "http://127.0.0.1:\(port)")
    let pids = await tester.runningCommands
    server.cancel()
    _ = await server.result  // stops every command it started
    #expect(await tester.runningCommands.isEmpty && pids.allSatisfy { !isAlive($0) }, "no command outlives the load tester")
    return result
}

/// The answer as "<status> <body>".
func post(_ url: String, _ body: String, headers: [(String, String)] = []) async throws -> String {
    let response = try await OutboundHTTP(proxies: ProxySettings()).send(
        .POST, url, headers: [("Content-Type", "application/json")] + headers,
        body: Array(body.utf8), timeout: .seconds(20))
    return "\(response.status) \(response.text)"
}

func payload(name: String = "httpbin", namespace: String = "demo", phase: String = "Progressing", metadata: [String: String] = [:]) -> String {
    let fields = metadata.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\"\($0.value.replacingOccurrences(of: "\"", with: "\\\""))\"" }
    return
        #"{"name":"\#(name)","namespace":"\#(namespace)","phase":"\#(phase)","checksum":"abc","type":"rollout","metadata":{\#(fields.joined(separator: ","))}}"#
}

func isAlive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 }

@Suite struct GateTests {
    @Test func gatesAreClosedUntilOpenedPerCanary() async throws {
        try await withLoadTester { (_, url) async throws in
            #expect(try await post("\(url)/gate/check", payload()) == "403 Forbidden")
            #expect(try await post("\(url)/gate/open", payload()).hasPrefix("202 "))
            #expect(try await post("\(url)/gate/check", payload()) == "200 Approved")
            #expect(try await post("\(url)/gate/check", payload(name: "other")).hasPrefix("403 "), "gates are per canary")
            #expect(try await post("\(url)/rollback/check", payload()).hasPrefix("403 "), "the rollback gate is a separate gate")
            #expect(try await post("\(url)/gate/close", payload()).hasPrefix("202 "))
            #expect(try await post("\(url)/gate/check", payload()).hasPrefix("403 "))
            #expect(try await post("\(url)/rollback/open", payload()).hasPrefix("202 "))
            #expect(try await post("\(url)/rollback/check", payload()) == "200 Approved")
            #expect(try await post("\(url)/gate/approve", payload()).hasPrefix("200 "))
            #expect(try await post("\(url)/gate/halt", payload()).hasPrefix("403 "))
        }
    }

    @Test func badRequestsGetAClearAnswer() async throws {
        try await withLoadTester { (_, url) async throws in
            #expect(try await post(url + "/", "{not json").hasPrefix("400 "))
            #expect(try await post(url + "/", payload()) == "400 metadata not found in payload")
            let unknown = try await post(url + "/", payload(metadata: ["type": "grpc", "cmd": "x"]))
            #expect(unknown == "400 unknown task type \"grpc\" (supported: cmd, bash, kubectl, helm, helmv3, concord, ngrinder)")
            #expect(try await post(url + "/", payload(metadata: ["type": "cmd"])) == "400 cmd not found in metadata")
            let huge = payload(metadata: ["type": "cmd", "cmd": String(repeating: "x", count: LoadTester.maximumBodySize)])
            #expect(try await post(url + "/", huge) == "413 request body larger than 1048576 bytes")
        }
    }

    @Test func aTokenAndANamespacePatternGuardEveryRouteButHealth() async throws {
        var options = LoadTesterOptions()
        options.token = "s3cret"
        options.namespacePattern = "demo|test"
        try await withLoadTester(options) { (_, url) async throws in
            #expect(try await post("\(url)/gate/check", payload()).hasPrefix("401 "))
            #expect(try await post("\(url)/gate/check", payload(), headers: [("Authorization", "Bearer wrong")]).hasPrefix("401 "))
            #expect(try await post("\(url)/healthz", "").hasPrefix("200 "))
            let auth = [("Authorization", "Bearer s3cret")]
            #expect(try await post("\(url)/gate/approve", payload(), headers: auth).hasPrefix("200 "))
            #expect(try await post("\(url)/gate/approve", payload(namespace: "prod"), headers: auth).hasPrefix("403 "))
        }
    }
}

@Suite struct TaskTests {
    @Test func bashTasksRunToCompletionAndTheExitStatusIsTheAnswer() async throws {
        try await withLoadTester { (_, url) async throws in
            #expect(
                try await post(url + "/", payload(metadata: ["type": "bash", "cmd": "echo -n hello; exit 0", "returnCmdOutput": "true"]))
                    == "200 hello")
            let failed = try await post(url + "/", payload(metadata: ["type": "bash", "cmd": "echo broken >&2; exit 3"]))
            #expect(failed.hasPrefix("500 ") && failed.contains("exit status 3") && failed.contains("broken"))
        }
    }

    @Test func aCmdTaskRunsInTheBackgroundOncePerCanaryAndCommandAndStopsWhenTheCanaryFinishes() async throws {
        try await withLoadTester { (tester, url) async throws in
            let sleep = payload(metadata: ["cmd": "sleep 30 & sleep 30"])
            #expect(try await post(url + "/", sleep) == "202 command started")
            #expect(try await post(url + "/", sleep) == "202 command already running")
            #expect(try await post(url + "/", payload(name: "other", metadata: ["cmd": "sleep 30"])).hasPrefix("202 "))
            let pids = await tester.runningCommands
            #expect(pids.count == 2 && pids.allSatisfy(isAlive))
            #expect(try await post("\(url)/gate/check", payload(phase: "Succeeded")).hasPrefix("403 "))
            #expect(await tester.runningCommands.count == 1, "only the finished canary's command stops")
            let stopped = Set(pids).subtracting(await tester.runningCommands)
            #expect(stopped.count == 1 && !isAlive(stopped.first!), "the whole process group is gone")
        }
    }

    @Test func aCommandNoLongerCalledForIsStoppedAfterItsLease() async throws {
        let tasks = CommandTasks(
            policy: CommandPolicy(), timeout: .seconds(3600), environment: ProcessInfo.processInfo.environment,
            metrics: LoadTesterMetrics(), logger: Logger(label: "test"))
        let start = ContinuousClock.now
        guard case .started(let pid) = await tasks.call(canary: "httpbin.demo", command: "sleep 60", logOutput: false, now: start) else {
            Issue.record("not started"); return
        }
        _ = await tasks.call(canary: "httpbin.demo", command: "sleep 60", logOutput: false, now: start + .seconds(5))
        await tasks.sweep(now: start + .seconds(15))
        #expect(await tasks.pids == [pid], "within 3 gaps (and at least 10 s) of the last call")
        await tasks.sweep(now: start + .seconds(26))
        #expect(await tasks.pids.isEmpty && !isAlive(pid))
    }

    @Test func aCommandThatFailedIsReportedOnTheNextCallThenStartedAgain() async throws {
        let tasks = CommandTasks(
            policy: CommandPolicy(), timeout: .seconds(3600), environment: ProcessInfo.processInfo.environment,
            metrics: LoadTesterMetrics(), logger: Logger(label: "test"))
        guard case .started = await tasks.call(canary: "c.ns", command: "echo nope; exit 4", logOutput: true) else {
            Issue.record("not started"); return
        }
        for _ in 0..<100 where !(await tasks.pids.isEmpty) {
            await tasks.sweep()
            try await Task.sleep(for: .milliseconds(20))
        }
        guard case .previousRunFailed(let reason) = await tasks.call(canary: "c.ns", command: "echo nope; exit 4", logOutput: true) else {
            Issue.record("the failure was not reported"); return
        }
        #expect(reason.contains("exited with status 4") && reason.contains("nope"))
        guard case .started = await tasks.call(canary: "c.ns", command: "echo nope; exit 4", logOutput: true) else {
            Issue.record("not restarted"); return
        }
    }

    @Test func anAllowlistRunsOnlyNamedProgramsWithoutAShell() async throws {
        let policy = CommandPolicy(allowed: ["hey", "echo"])
        #expect(
            policy.invocation(of: "hey -z 1m -q 10 'http://httpbin-canary.demo:8000/headers'", shell: "sh")
                == .success(.init(executable: "hey", arguments: ["-z", "1m", "-q", "10", "http://httpbin-canary.demo:8000/headers"])))
        #expect(throws: CommandPolicy.Refusal.self) { _ = try policy.invocation(of: "curl http://x", shell: "sh").get() }
        #expect(throws: CommandPolicy.Refusal.self) { _ = try policy.invocation(of: "hey http://x; rm -rf /", shell: "sh").get() }
        #expect(throws: CommandPolicy.Refusal.self) { _ = try policy.invocation(of: "echo $(id)", shell: "sh").get() }
        #expect(
            CommandPolicy().invocation(of: "hey x | tee y", shell: "sh") == .success(.init(executable: "sh", arguments: ["-c", "hey x | tee y"])))
        var options = LoadTesterOptions()
        options.policy = policy
        try await withLoadTester(options) { (_, url) async throws in
            let refused = try await post(url + "/", payload(metadata: ["type": "bash", "cmd": "curl http://example.com"]))
            #expect(refused.hasPrefix("403 ") && refused.contains("\"curl\" is not allowed"))
            #expect(try await post(url + "/", payload(metadata: ["type": "bash", "cmd": "echo -n 'a b'", "returnCmdOutput": "true"])) == "200 a b")
        }
    }
}
