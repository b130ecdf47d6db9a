import Foundation
@testable import LoadTester
import Hummingbird
import NIOCore
import SerinTesting
import Synchronization
import Testing

/// The tools Flagger's image bundles: `wrk` (Debian) runs; `ghz` and `grpc_health_probe` are refused clearly.
@Suite struct BundledToolsTests {
    @Test func wrkRunsAgainstALocalServerFromBashAndCmdTasks() async throws {
        guard ChildProcess.lookUp("wrk", in: ProcessInfo.processInfo.environment["PATH"] ?? "") != nil else {
            Issue.record("wrk is not installed (Debian package wrk: scripts/install-deps.sh wrk)")
            return
        }
        let hits = Atomic<Int>(0)
        let responder = CallbackResponder<BasicRequestContext> { _, _ in
            hits.add(1, ordering: .relaxed)
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "ok")))
        }
        try await StubServer.serve(responder) { port in
            try await withLoadTester { (_, url) async throws in
                let wrk = "wrk -t1 -c2 -d1s http://127.0.0.1:\(port)/"
                let report = try await post(url + "/", payload(metadata: ["type": "bash", "cmd": wrk, "returnCmdOutput": "true"]))
                #expect(report.hasPrefix("200 ") && report.contains("Requests/sec"), "\(report)")
                let counted = hits.load(ordering: .relaxed)
                #expect(counted > 0)
                #expect(try await post(url + "/", payload(metadata: ["cmd": wrk])) == "202 command started")
                #expect(try await eventually { hits.load(ordering: .relaxed) > counted }, "the background wrk sends requests")
            }
        }
    }

    @Test(arguments: ["ghz --insecure --call helloworld.Greeter.SayHello -d '{}' podinfo:9999", "grpc_health_probe -addr=podinfo:9999"])
    func ghzAndGrpcHealthProbeAreRefusedUnlessInstalled(command: String) async throws {
        var options = LoadTesterOptions()
        options.environment["PATH"] = "/usr/bin:/bin"
        try await withLoadTester(options) { (_, url) async throws in
            for type in ["cmd", "bash"] {
                let answer = try await post(url + "/", payload(metadata: ["type": type, "cmd": "cd /tmp && " + command]))
                let name = command.prefix { $0 != " " }
                #expect(answer.hasPrefix("400 \(name) is not bundled with serin loadtester: neither Debian nor PyPI"), "\(answer)")
            }
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tools-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let name = String(command.prefix { $0 != " " })
        try "#!/bin/sh\necho -n installed\n".write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.appendingPathComponent(name).path)
        options.environment["PATH"] = directory.path + ":/usr/bin:/bin"
        try await withLoadTester(options) { (_, url) async throws in
            let answer = try await post(url + "/", payload(metadata: ["type": "bash", "cmd": command, "returnCmdOutput": "true"]))
            #expect(answer == "200 installed", "an image that adds the tool runs it")
        }
    }
}
