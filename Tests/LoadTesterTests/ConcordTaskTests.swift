import Foundation
import Hummingbird
@testable import LoadTester
import NIOCore
import SerinTesting
import Testing

/// `type: concord` against a stand-in of Concord's process API.
@Suite struct ConcordTaskTests {
    /// A file holding `key` (with the newline an editor leaves), removed after the test.
    static func withKeyFile<T>(_ key: String, _ body: (String) async throws -> T) async throws -> T {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("concord-key-\(UUID().uuidString)").path
        try (key + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await body(path)
    }

    static func metadata(port: Int, keyPath: String, _ extra: [String: String] = [:]) -> [String: String] {
        [
            "type": "concord", "server": "http://127.0.0.1:\(port)/ignored", "org": "qa", "project": "podinfo", "repo": "tests",
            "entrypoint": "smoke", "apiKeyPath": keyPath, "endpoint": "http://podinfo-canary.test:9898/", "pollInterval": "1",
        ].merging(extra) { $1 }
    }

    /// Posts a concord task for a server answering with `responder`, with a key file holding `key`, `extra`
    /// metadata over ``metadata(port:keyPath:_:)``: the load tester's answer.
    static func call(_ responder: CallbackResponder<BasicRequestContext>, key: String, _ extra: [String: String] = [:]) async throws -> String {
        var answer = ""
        try await StubServer.serve(responder) { port in
            try await withKeyFile(key) { keyPath in
                try await withLoadTester { (_, url) async throws in
                    answer = try await post(url + "/", payload(metadata: metadata(port: port, keyPath: keyPath, extra)))
                }
            }
        }
        return answer
    }

    @Test func aProcessThatFinishesAnswers200AfterTheRequestsFlaggerSends() async throws {
        let concord = ConcordStandIn(apiKey: "s3cret", statuses: ["RUNNING", "FINISHED"])
        #expect(try await Self.call(concord.responder, key: "s3cret", ["arguments.users": "10", "arguments.b": "x y"]) == "200 ")
        let requests = concord.state.requests
        guard requests.count == 3, let process = concord.started.first else { Issue.record("requests: \(requests.map(\.path))"); return }
        #expect(requests[0].method == "POST" && requests[0].path == "/api/v1/process")
        #expect(requests[0].headers["content-type"]?.hasPrefix("multipart/form-data; boundary=") == true)
        #expect(requests.allSatisfy { $0.headers["authorization"] == "s3cret" }, "the key file's content, without its newline")
        #expect(
            process.form == [
                "org": "qa", "project": "podinfo", "repo": "tests", "entryPoint": "smoke", "arguments.endpoint": "http://podinfo-canary.test:9898/",
                "arguments.users": "10", "arguments.b": "x y",
            ])
        #expect(requests[1...].allSatisfy { $0.method == "GET" && $0.path == "/api/v1/process/\(process.id)" })
        #expect(process.polls == 2)
    }

    @Test func aFailedProcessAndATimeoutAnswer500WithFlaggersWords() async throws {
        let failing = ConcordStandIn(apiKey: "k", statuses: ["FAILED"])
        let failed = try await Self.call(failing.responder, key: "k")
        #expect(failed == "500 concord instanceID: \(failing.started.first?.id ?? "?") failed")
        let running = ConcordStandIn(apiKey: "k", statuses: ["RUNNING"])
        #expect(try await Self.call(running.responder, key: "k", ["pollTimeout": "2"]) == "500 concord process timed out, after 2 seconds")
        // Every second until the timeout: at most two polls (a loaded machine may manage fewer before it).
        #expect((running.started.first?.polls ?? 0) <= 2, "polled at most every second until the timeout")
    }

    @Test func aRejectedKeyOrAnAnswerThatIsNotJSONFailsTheStart() async throws {
        let concord = ConcordStandIn(apiKey: "right", statuses: ["FINISHED"])
        let rejected = try await Self.call(concord.responder, key: "wrong")
        #expect(rejected.hasPrefix("500 failed to start the concord process: POST /api/v1/process: HTTP 401: "))
        #expect(concord.started.isEmpty)
        let notConcord = CallbackResponder<BasicRequestContext> { _, _ in
            Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "hello")))
        }
        let answer = try await Self.call(notConcord, key: "k")
        #expect(answer == "500 failed to start the concord process: POST /api/v1/process: the answer is not a JSON object: hello")
    }

    @Test(
        arguments: [
            ("server", nil, "`server` is required with type concord"),
            ("server", "concord.example", "`server` must be an http(s) URL, not \"concord.example\""),
            ("org", nil, "`org` is required with type concord"),
            ("project", nil, "`project` is required with type concord"),
            ("repo", nil, "`repo` is required with type concord"),
            ("entrypoint", nil, "`entrypoint` is required with type concord"),
            ("apiKeyPath", nil, "`apiKeyPath` is required with type concord"),
            ("apiKeyPath", "/nonexistent/key", "`apiKeyPath` file doesn't exist /nonexistent/key"),
            ("endpoint", nil, "`endpoint` is required with type concord"),
            ("pollInterval", "5s", "unable to convert `pollInterval` to int"),
            ("pollInterval", "0", "`pollInterval` must be between 1 and 86400 seconds, not 0"),
            ("pollTimeout", "-3", "`pollTimeout` must be between 1 and 86400 seconds, not -3"),
            ("arguments.endpoint", "x", "You cannot override Endpoint through arguments. You must override Endpoint directly"),
        ] as [(String, String?, String)])
    func badMetadataIsA400NamingTheField(field: String, value: String?, message: String) async throws {
        try await Self.withKeyFile("k") { keyPath in
            try await withLoadTester { (_, url) async throws in
                var metadata = Self.metadata(port: 1, keyPath: keyPath)
                metadata[field] = value
                #expect(try await post(url + "/", payload(metadata: metadata)) == "400 \(message)")
            }
        }
    }

    @Test func anAllowlistMustNameTheTaskType() async throws {
        var options = LoadTesterOptions()
        options.policy = CommandPolicy(allowed: ["hey"])
        try await withLoadTester(options) { (_, url) async throws in
            for type in ["concord", "ngrinder"] {
                let answer = try await post(url + "/", payload(metadata: ["type": type]))
                #expect(answer == "403 task type \(type) is not allowed (--allow hey; add \(type) to allow it)")
            }
        }
        options.policy = CommandPolicy(allowed: ["hey", "concord"])
        try await withLoadTester(options) { (_, url) async throws in
            #expect(try await post(url + "/", payload(metadata: ["type": "concord"])) == "400 `server` is required with type concord")
        }
    }

    @Test func theFormIsWrittenAsGoWritesIt() {
        var form = MultipartForm(boundary: "b0")
        form.append("org", "qa")
        form.append("a\"b", "v")
        let body = String(decoding: form.body, as: UTF8.self)
        #expect(
            body == "--b0\r\nContent-Disposition: form-data; name=\"org\"\r\n\r\nqa\r\n--b0\r\n"
                + "Content-Disposition: form-data; name=\"a\\\"b\"\r\n\r\nv\r\n--b0--\r\n")
        #expect(form.contentType == "multipart/form-data; boundary=b0")
        #expect(MultipartForm.randomBoundary().count == 60)
    }
}
