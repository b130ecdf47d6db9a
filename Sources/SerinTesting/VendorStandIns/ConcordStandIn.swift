import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// Concord's process API as its documentation describes it (concord.walmartlabs.com/docs/api/process.html):
///
/// - `POST /api/v1/process` with `Authorization: <API key>` and a `multipart/form-data` body whose fields
///   name the process (`org`, `project`, `repo`, `entryPoint`) and its arguments (`arguments.<name>`);
///   200 is `{"instanceId": "<uuid>", "ok": true}`.
/// - `GET /api/v1/process/<instanceId>` with the key: the process entry (`instanceId`, `orgName`,
///   `projectName`, `status`, `createdAt`, `lastUpdatedAt`, `initiator`); 404 for an unknown process.
/// - A missing or wrong key is 401, a body that is not a multipart form is 400 (`{"message": "…"}`).
///
/// A process moves through `statuses`, one per status request (the last one stays).
public final class ConcordStandIn: Sendable {
    public let state: VendorStandIn
    public let apiKey: String
    let statuses: [String]
    private let processes = Mutex<[Process]>([])

    /// A process started: its form fields and how many times its status was asked.
    public struct Process: Sendable {
        public var id: String
        public var form: [String: String]
        public var polls: Int
    }

    public init(apiKey: String, statuses: [String]) {
        (self.apiKey, self.statuses) = (apiKey, statuses)
        state = VendorStandIn(signal: { _ in nil })
    }

    /// The processes started, oldest first.
    public var started: [Process] { processes.withLock { $0 } }

    public var responder: CallbackResponder<BasicRequestContext> {
        CallbackResponder { [self] request, _ in
            let (received, _) = await state.receive(request)
            guard received.headers["authorization"] == apiKey else {
                return VendorStandIn.answer(.unauthorized, json: ["message": "Authentication required"])
            }
            if received.method == "POST" && received.path == "/api/v1/process" { return start(received) }
            let prefix = "/api/v1/process/"
            if received.method == "GET", received.path.hasPrefix(prefix) { return status(String(received.path.dropFirst(prefix.count))) }
            return VendorStandIn.answer(.notFound, json: ["message": "Not Found"])
        }
    }

    private func start(_ request: VendorStandIn.Request) -> Response {
        guard let form = ConcordStandIn.fields(request), form["org"] != nil, form["project"] != nil else {
            return VendorStandIn.answer(.badRequest, json: ["message": "a multipart/form-data body with org and project is required"])
        }
        let id = UUID().uuidString.lowercased()
        processes.withLock { $0.append(Process(id: id, form: form, polls: 0)) }
        return VendorStandIn.answer(.ok, json: ["instanceId": id, "ok": true])
    }

    private func status(_ id: String) -> Response {
        let entry = processes.withLock { processes -> Process? in
            guard let index = processes.firstIndex(where: { $0.id == id }) else { return nil }
            processes[index].polls += 1
            return processes[index]
        }
        guard let entry else { return VendorStandIn.answer(.notFound, json: ["message": "Process instance not found: \(id)"]) }
        let status = statuses.isEmpty ? "RUNNING" : statuses[min(entry.polls, statuses.count) - 1]
        return VendorStandIn.answer(
            .ok,
            json: [
                "instanceId": id, "orgName": entry.form["org"] ?? "", "projectName": entry.form["project"] ?? "", "status": status,
                "initiator": "admin", "createdAt": "2024-01-01T00:00:00.000Z", "lastUpdatedAt": "2024-01-01T00:00:01.000Z",
            ])
    }

    /// The text fields of a `multipart/form-data` body, by name; `nil` for another body.
    public static func fields(_ request: VendorStandIn.Request) -> [String: String]? {
        guard let type = request.headers["content-type"], type.hasPrefix("multipart/form-data"),
            let boundary = type.components(separatedBy: "boundary=").last, !boundary.isEmpty
        else { return nil }
        var fields: [String: String] = [:]
        for part in request.body.components(separatedBy: "--\(boundary)").dropFirst() {
            guard !part.hasPrefix("--"), let split = part.range(of: "\r\n\r\n") else { continue }
            let head = part[..<split.lowerBound]
            guard let nameStart = head.range(of: "name=\"") else { return nil }
            let name = head[nameStart.upperBound...].prefix { $0 != "\"" }
            let value = part[split.upperBound...]
            fields[String(name)] = String(value.hasSuffix("\r\n") ? value.dropLast() : value)  // "\r\n" is one Character
        }
        return fields
    }
}
