import ChildProcesses
import Foundation
import KubeCore
import SerinTesting
import Testing

/// The stand-ins' answers read by each vendor's own client library from PyPI (`Tests/VendorClients/check.py`):
/// if a stand-in drifted from the vendor's documented format, the official client would fail to parse it.
/// `make deps` installs the clients; a missing one fails the test. Each check starts a Python process that
/// imports a large client library (a few seconds of both cores), so `make test` runs the suite alone, one
/// check at a time, where it cannot starve the main run's wall-clock waits.
@Suite(
    .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["SERIN_ISOLATED_TESTS"] == "1", "Python clients load both cores; make test runs it alone"))
struct VendorClientTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("VendorClients/check.py").path

    static func check(_ arguments: [String]) async throws -> JSONValue {
        let result = try await Command("python3", [script] + arguments).run(within: .seconds(120))
        try #require(result.status == 0, "check.py \(arguments.first ?? ""): \(result.stderr)")
        return try JSONValue(parsing: result.stdout)
    }

    @Test func datadogsOfficialClientReadsTheStandInsSeriesAndErrors() async throws {
        let standIn = DatadogStandIn(apiKey: "dd-api", applicationKey: "dd-app") { query in query.contains("empty") ? nil : 99.5 }
        try await StubServer.serve(standIn.responder) { port in
            let url = "http://127.0.0.1:\(port)"
            let answer = try await Self.check(["datadog", url, "dd-api", "dd-app", "sum:x{*}.as_count()", "1800000000", "1800000600"])
            #expect(answer["value"]?.doubleValue == 99.5 && answer["points"]?.intValue == 11 && answer["valid"] == true, "\(answer)")
            let empty = try await Self.check(["datadog", url, "dd-api", "dd-app", "sum:empty{*}", "1800000000", "1800000600"])
            #expect(empty["value"] == .null && empty["points"]?.intValue == 0, "\(empty)")
            let forbidden = try await Self.check(["datadog", url, "wrong", "dd-app", "sum:x{*}", "1800000000", "1800000600"])
            #expect(forbidden["status"]?.intValue == 403 && forbidden[path: "error", "errors"] == ["Forbidden"], "\(forbidden)")
            standIn.state.throttle(next: 1, retryAfter: 7)
            let limited = try await Self.check(["datadog", url, "dd-api", "dd-app", "sum:x{*}", "1800000000", "1800000600"])
            #expect(limited["status"]?.intValue == 429, "\(limited)")
        }
    }

    @Test func influxDBsOfficialClientReadsTheStandInsTablesAndErrors() async throws {
        let standIn = InfluxDBStandIn(token: "t0k3n", organisation: "acme") { flux in flux.contains("empty") ? nil : 1.4 }
        try await StubServer.serve(standIn.responder) { port in
            let url = "http://127.0.0.1:\(port)"
            let answer = try await Self.check(["influxdb", url, "t0k3n", "acme", #"from(bucket: "default") |> range(start: -2h)"#])
            #expect(answer["value"]?.doubleValue == 1.4 && answer["records"]?.intValue == 1, "\(answer)")
            let empty = try await Self.check(["influxdb", url, "t0k3n", "acme", #"from(bucket: "empty")"#])
            #expect(empty["records"]?.intValue == 0, "\(empty)")
            let unauthorized = try await Self.check(["influxdb", url, "wrong", "acme", "x"])
            #expect(unauthorized["status"]?.intValue == 401 && unauthorized[path: "error", "code"] == "unauthorized", "\(unauthorized)")
        }
    }
}

extension VendorClientTests {
    @Test func boto3ReadsTheCloudWatchStandInsDataAndErrorsAndSTSsCredentials() async throws {
        let standIn = CloudWatchStandIn(accessKeyID: "AKIACHECK", webIdentityToken: "eyJ.token", assumedKeyID: "ASIACHECK") { _ in 0.5 }
        try await StubServer.serve(standIn.responder) { port in
            let url = "http://127.0.0.1:\(port)"
            let answer = try await Self.check(["cloudwatch", url, "AKIACHECK", "eyJ.token"])
            #expect(answer["value"]?.doubleValue == 0.5 && answer["id"] == "q" && answer["status_code"] == "Complete", "\(answer)")
            #expect(answer["assumed_key"] == "ASIACHECK", "\(answer)")
            let refused = try await Self.check(["cloudwatch", url, "AKIAWRONG", "wrong"])
            #expect(refused["status"]?.intValue == 400 && refused["error"] == "UnrecognizedClientException", "\(refused)")
            #expect(refused["sts_error"] == "InvalidIdentityToken", "\(refused)")
        }
    }
}

extension VendorClientTests {
    @Test func googlesMonitoringClientReadsTheStandInsTimeSeriesAndErrors() async throws {
        let standIn = try GoogleMonitoringStandIn(project: "serin-tests") { mql in mql.contains("empty") ? nil : 12.5 }
        try await StubServer.serve(standIn.responder) { port in
            let url = "http://127.0.0.1:\(port)"
            let answer = try await Self.check(["stackdriver", url, "serin-tests", "ya29.standin-token", "fetch k8s_container"])
            #expect(answer["value"]?.doubleValue == 12.5 && answer["series"]?.intValue == 1, "\(answer)")
            let empty = try await Self.check(["stackdriver", url, "serin-tests", "ya29.standin-token", "fetch empty"])
            #expect(empty["series"]?.intValue == 0, "\(empty)")
            let refused = try await Self.check(["stackdriver", url, "serin-tests", "wrong", "fetch x"])
            #expect(refused["status"]?.intValue == 401 && refused["error"] == "Unauthorized", "\(refused)")
            let invalid = try await Self.check(["stackdriver", url, "serin-tests", "ya29.standin-token", ""])
            #expect(invalid["status"]?.intValue == 400 && invalid["error"] == "BadRequest", "\(invalid)")
        }
    }
}

extension VendorClientTests {
    /// The interpreter of the virtualenv `scripts/install-deps.sh signalfx` made (the library pins an old protobuf).
    static var signalfxPython: String {
        let environment = ProcessInfo.processInfo.environment
        let cache = environment["XDG_CACHE_HOME"] ?? (NSHomeDirectory() + "/.cache")
        return (environment["SERIN_SIGNALFX_VENV"] ?? "\(cache)/serin/signalfx-venv") + "/bin/python"
    }

    @Test func splunksOfficialClientRunsAComputationOnTheStandInsStream() async throws {
        try await SignalFlowStandIn.serve(token: "sf-token", signal: { $0.contains("empty") ? nil : 99.5 }) { port, _ in
            let url = "http://127.0.0.1:\(port)"
            func check(_ token: String, _ program: String) async throws -> JSONValue {
                let result = try await Command(Self.signalfxPython, [Self.script, "splunk", url, token, program]).run(within: .seconds(120))
                try #require(result.status == 0, "check.py splunk: \(result.stderr)")
                return try JSONValue(parsing: result.stdout)
            }
            let answer = try await check("sf-token", "data('spans.count').sum().publish()")
            #expect(answer["values"] == [99.5, 99.5, 99.5] && answer["metadata"] == ["AAAAAAAAACo": "service.request.count"], "\(answer)")
            #expect(answer["handle"] == "SANDBOXJOB" && answer["state"]?.intValue == 4 && answer["online"]?.intValue == 1, "\(answer)")
            let empty = try await check("sf-token", "data('empty').publish()")
            #expect(empty["values"] == [] && empty["state"]?.intValue == 4, "\(empty)")
            let refused = try await check("sf-token", "data('x'.publish()")
            #expect(refused["error"] == "SignalFlowException" && refused["code"]?.intValue == 400, "\(refused)")
            let unauthorized = try await check("wrong", "data('x').publish()")
            #expect(unauthorized["code"]?.intValue == 4401, "\(unauthorized)")
        }
    }
}
