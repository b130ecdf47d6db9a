import Foundation
@testable import LoadTester
import SerinTesting
import Testing

/// `type: ngrinder` against a stand-in of nGrinder's perftest REST API.
@Suite struct NGrinderTaskTests {
    static func metadata(port: Int, _ extra: [String: String] = [:]) -> [String: String] {
        [
            "type": "ngrinder", "server": "http://127.0.0.1:\(port)/ngrinder/", "clone": "960", "username": "admin",
            "passwd": Data("pa:ss".utf8).base64EncodedString(), "pollInterval": "50ms",
        ].merging(extra) { $1 }
    }

    static func standIn(_ statuses: [String]) -> NGrinderStandIn {
        NGrinderStandIn(username: "admin", password: "pa:ss", templates: [960], statuses: statuses, basePath: "/ngrinder")
    }

    /// Waits until the load tester has no nGrinder run left.
    static func idle(_ tester: LoadTester) async throws -> Bool {
        try await eventually(timeout: .seconds(30)) { await tester.runs.counts.isEmpty }  // a loaded machine polls late
    }

    @Test func aTestIsClonedStartedAndPolledOnceWhileItRuns() async throws {
        let ngrinder = Self.standIn(["READY", "TESTING", "FINISHED"])
        try await StubServer.serve(ngrinder.responder) { port in
            try await withLoadTester { (tester, url) async throws in
                let call = payload(metadata: Self.metadata(port: port, ["pollInterval": "300ms"]))  // 900 ms to call again
                #expect(try await post(url + "/", call) == "202 ngrinder test started")
                #expect(try await post(url + "/", call) == "202 ngrinder test already running")
                #expect(try await Self.idle(tester))
                #expect(try await post(url + "/", call) == "202 ngrinder test started", "a run that succeeded is not reported")
                #expect(try await Self.idle(tester))
            }
        }
        let requests = ngrinder.state.requests
        let credentials = "Basic " + Data("admin:pa:ss".utf8).base64EncodedString()
        #expect(requests.allSatisfy { $0.headers["authorization"] == credentials })
        #expect(requests.first.map { "\($0.method) \($0.path)" } == "POST /ngrinder/perftest/api/960/clone_and_start")
        let polls = requests.filter { $0.method == "GET" }.map(\.path)
        #expect(
            polls.prefix(3) == ["/ngrinder/perftest/api/1000/status", "/ngrinder/perftest/api/1000/status", "/ngrinder/perftest/api/1000/status"])
        #expect(ngrinder.started.map(\.polls) == [3, 3] && ngrinder.started.allSatisfy { !$0.stopped })
    }

    @Test func aFailedTestIsReportedOnTheNextCallThenStartedAgain() async throws {
        let ngrinder = Self.standIn(["TESTING", "STOP_BY_ERROR"])
        try await StubServer.serve(ngrinder.responder) { port in
            try await withLoadTester { (tester, url) async throws in
                let call = payload(metadata: Self.metadata(port: port))
                #expect(try await post(url + "/", call) == "202 ngrinder test started")
                #expect(try await Self.idle(tester))
                #expect(try await post(url + "/", call) == "500 ngrinder test 1000 ended with status STOP_BY_ERROR")
                #expect(try await post(url + "/", call) == "202 ngrinder test started")
                #expect(try await Self.idle(tester))
                let unknown = payload(metadata: Self.metadata(port: port, ["clone": "7"]))
                #expect(try await post(url + "/", unknown) == "202 ngrinder test started")
                #expect(try await Self.idle(tester))
                let failure = try await post(url + "/", unknown)
                #expect(
                    failure.hasPrefix(
                        "500 failed to clone and start ngrinder test http://127.0.0.1:\(port)/ngrinder/perftest/api/7/clone_and_start: "))
                #expect(failure.contains("perftest 7 does not exist"))
            }
        }
    }

    @Test func aTestStillRunningAtTheTimeoutOrWhenTheCanaryFinishesIsStopped() async throws {
        let ngrinder = Self.standIn(["TESTING"])
        var options = LoadTesterOptions()
        options.timeout = .milliseconds(500)
        try await StubServer.serve(ngrinder.responder) { port in
            try await withLoadTester(options) { (tester, url) async throws in
                let call = payload(metadata: Self.metadata(port: port))
                #expect(try await post(url + "/", call) == "202 ngrinder test started")
                #expect(try await Self.idle(tester))
                #expect(try await post(url + "/", call) == "500 ngrinder test 1000 timed out after 500ms and was stopped")
            }
        }
        let stops = ngrinder.state.requests.filter { $0.method == "PUT" }
        #expect(stops.map(\.path) == ["/ngrinder/perftest/api/1000"] && stops.first?.parameters == ["action": "stop"])
        let finishing = Self.standIn(["TESTING"])
        try await StubServer.serve(finishing.responder) { port in
            try await withLoadTester { (tester, url) async throws in
                #expect(try await post(url + "/", payload(metadata: Self.metadata(port: port))) == "202 ngrinder test started")
                #expect(try await eventually { finishing.started.first?.polls ?? 0 > 0 })
                _ = try await post(url + "/gate/check", payload(phase: "Failed"))
                #expect(await tester.runs.counts.isEmpty, "the finished canary's run ended")
            }
        }
        #expect(finishing.started.first?.stopped == true)
    }

    @Test(
        arguments: [
            ("server", nil, "server, clone, username and passwd are required metadata"),
            ("passwd", "", "server, clone, username and passwd are required metadata"),
            ("server", "ngrinder:8080", "invalid url: ngrinder:8080: `server` must be an http(s) URL"),
            ("clone", "abc", "metadata clone must be integer: \"abc\""),
            ("passwd", "not base64!", "metadata password is invalid: `passwd` is not base64"),
            ("pollInterval", "5", "metadata pollInterval is invalid: "),
            ("pollInterval", "0s", "metadata pollInterval must be more than 0, not 0s"),
        ] as [(String, String?, String)])
    func badMetadataIsA400NamingTheField(field: String, value: String?, message: String) async throws {
        try await withLoadTester { (_, url) async throws in
            var metadata = Self.metadata(port: 1)
            metadata[field] = value
            let answer = try await post(url + "/", payload(metadata: metadata))
            #expect(answer.hasPrefix("400 \(message)"), "\(answer)")
        }
    }

    @Test func pathsResolveAgainstTheServerAsGoResolvesThem() throws {
        for (server, expected) in [
            ("http://ngrinder:8080", "http://ngrinder:8080/perftest/api/960/clone_and_start"),
            ("http://ngrinder:8080/", "http://ngrinder:8080/perftest/api/960/clone_and_start"),
            ("http://host/ngrinder/", "http://host/ngrinder/perftest/api/960/clone_and_start"),
            ("http://host/ngrinder", "http://host/perftest/api/960/clone_and_start"),
        ] {
            let task = try NGrinderTask(metadata: ["server": server, "clone": "960", "username": "u", "passwd": "cA=="])
            #expect(task.cloneAndStart == expected)
            #expect(task.stop(5) == expected.replacingOccurrences(of: "960/clone_and_start", with: "5?action=stop"))
        }
    }
}
