import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// An nGrinder controller's perftest REST API as its wiki describes it (github.com/naver/ngrinder/wiki/REST-API-PerfTest
/// and REST-API-QuickStart), under `basePath` (the controller's context path, `""` at the root):
///
/// - HTTP basic authentication on every call; without it, 401.
/// - `POST perftest/api/<id>/clone_and_start`: clones test `<id>` and starts the copy; 200 is the new test
///   (`id`, `testName`, `status: "READY"`, …); an unknown test is `{"success": false, "message": "…"}`.
/// - `GET perftest/api/<id>/status`: `{"status": [{"id", "status_id", "status_type", "name", "message"}]}`.
/// - `PUT perftest/api/<id>?action=stop`: `{"success": true}`, and the test reads `CANCELED` from then on.
///
/// A started test moves through `statuses`, one per status request (the last one stays).
public final class NGrinderStandIn: Sendable {
    public let state: VendorStandIn
    public let username: String
    public let password: String
    public let basePath: String
    let templates: Set<Int>
    let statuses: [String]
    private let tests = Mutex<[Test]>([])

    /// A cloned test: which template it copies, how many times its status was asked, whether it was stopped.
    public struct Test: Sendable {
        public var id: Int
        public var clonedFrom: Int
        public var polls: Int
        public var stopped: Bool
    }

    public init(username: String, password: String, templates: Set<Int>, statuses: [String], basePath: String = "") {
        (self.username, self.password, self.templates, self.statuses, self.basePath) = (username, password, templates, statuses, basePath)
        state = VendorStandIn(signal: { _ in nil })
    }

    /// The tests started, oldest first.
    public var started: [Test] { tests.withLock { $0 } }

    public var responder: CallbackResponder<BasicRequestContext> {
        CallbackResponder { [self] request, _ in
            let (received, _) = await state.receive(request)
            let credentials = Data("\(username):\(password)".utf8).base64EncodedString()
            guard received.headers["authorization"] == "Basic \(credentials)" else {
                return VendorStandIn.answer(.unauthorized, json: ["success": false, "message": "Unauthorized"])
            }
            let prefix = basePath + "/perftest/api/"
            guard received.path.hasPrefix(prefix) else { return VendorStandIn.answer(.notFound, json: ["success": false, "message": "Not Found"]) }
            let parts = received.path.dropFirst(prefix.count).split(separator: "/")
            guard let id = parts.first.flatMap({ Int($0) }) else { return VendorStandIn.answer(.notFound, json: ["success": false]) }
            switch (received.method, parts.dropFirst().first) {
            case ("POST", "clone_and_start"): return cloneAndStart(id)
            case ("GET", "status"): return status(id)
            case ("PUT", nil) where received.parameters["action"] == "stop": return stop(id)
            default: return VendorStandIn.answer(.notFound, json: ["success": false, "message": "Not Found"])
            }
        }
    }

    private func cloneAndStart(_ template: Int) -> Response {
        guard templates.contains(template) else {
            return VendorStandIn.answer(.ok, json: ["success": false, "message": "perftest \(template) does not exist"])
        }
        let id = tests.withLock { tests in
            let id = 1000 + tests.count
            tests.append(Test(id: id, clonedFrom: template, polls: 0, stopped: false))
            return id
        }
        return VendorStandIn.answer(
            .ok, json: ["id": id, "testName": "clone of \(template)", "status": "READY", "agentCount": 1, "duration": 60000, "threshold": "D"])
    }

    private func status(_ id: Int) -> Response {
        let test = tests.withLock { tests -> Test? in
            guard let index = tests.firstIndex(where: { $0.id == id }) else { return nil }
            tests[index].polls += 1
            return tests[index]
        }
        guard let test else { return VendorStandIn.answer(.ok, json: ["status": [Any]()]) }
        var status = statuses.isEmpty ? "TESTING" : statuses[min(test.polls, statuses.count) - 1]
        if test.stopped { status = "CANCELED" }
        let entry: [String: Any] = ["id": id, "status_id": status, "status_type": "Running", "name": "clone of \(test.clonedFrom)", "message": ""]
        return VendorStandIn.answer(.ok, json: ["status": [entry]])
    }

    private func stop(_ id: Int) -> Response {
        let found = tests.withLock { tests -> Bool in
            guard let index = tests.firstIndex(where: { $0.id == id }) else { return false }
            tests[index].stopped = true
            return true
        }
        let answer: [String: Any] = found ? ["success": true] : ["success": false, "message": "perftest \(id) does not exist"]
        return VendorStandIn.answer(.ok, json: answer)
    }
}
