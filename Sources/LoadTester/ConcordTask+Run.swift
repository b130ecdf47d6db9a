import Foundation
import KubeCore
import Logging
import NIOHTTP1
import OutboundHTTP

extension ConcordTask {
    /// Starts the process and waits for it: `nil` once it finished, else why the task failed. `limit` is the
    /// load tester's `--timeout`, which bounds the wait as well as `pollTimeout`.
    func run(http: OutboundHTTP, limit: Duration, logger: Logger) async -> String? {
        let started = ContinuousClock.now
        let instance: String
        switch await start(http: http, logger: logger) {
        case .success(let id): instance = id
        case .failure(let failure): return failure.description
        }
        let pollDeadline = started + pollTimeout
        let hardDeadline = started + limit
        while true {
            let wake = min(ContinuousClock.now + pollInterval, pollDeadline, hardDeadline)
            do { try await Task.sleep(until: wake) } catch { return "context timedout" }
            if ContinuousClock.now >= pollDeadline {
                return "concord process timed out, after \(pollTimeout.components.seconds) seconds"
            }
            if ContinuousClock.now >= hardDeadline { return "context timedout (--timeout \(GoDuration(limit)))" }
            let remaining = min(ConcordTask.requestTimeout, min(pollDeadline, hardDeadline) - ContinuousClock.now)
            let status: String
            switch await answer(http, .GET, ConcordTask.processPath + "/" + Self.escapePath(instance), body: nil, timeout: remaining) {
            case .success(let json): status = json["status"]?.stringValue ?? ""
            case .failure(let failure): return "failed checking status: \(failure)"
            }
            logger.debug("concord process status", metadata: ["instanceId": "\(instance)", "status": "\(status)"])
            switch status {
            case "FINISHED": return nil
            case "FAILED": return "concord instanceID: \(instance) failed"
            case "CANCELLED", "TIMED_OUT": return "concord instanceID: \(instance) ended with status \(status)"
            default: continue
            }
        }
    }

    /// `POST /api/v1/process`: the new process's `instanceId`.
    func start(http: OutboundHTTP, logger: Logger) async -> Result<String, TaskFailure> {
        let form = form()
        switch await answer(http, .POST, ConcordTask.processPath, body: form, timeout: ConcordTask.requestTimeout) {
        case .success(let json):
            guard let id = json["instanceId"]?.stringValue, !id.isEmpty else {
                return .failure(TaskFailure("failed to start the concord process: the answer has no instanceId: \(json)"))
            }
            logger.info("concord process started", metadata: ["instanceId": "\(id)", "org": "\(org)", "project": "\(project)"])
            return .success(id)
        case .failure(let failure):
            return .failure(TaskFailure("failed to start the concord process: \(failure)"))
        }
    }

    /// One request with the API key: the answer's JSON object, or why there is none.
    private func answer(
        _ http: OutboundHTTP, _ method: HTTPMethod, _ path: String, body: MultipartForm?, timeout: Duration
    ) async -> Result<JSONValue, TaskFailure> {
        var headers: [(String, String)]
        do { headers = try authorization() } catch { return .failure(TaskFailure(error.description)) }
        if let body { headers.append(("Content-Type", body.contentType)) }
        let response: OutboundHTTP.Response
        do {
            response = try await http.send(method, url(path), headers: headers, body: body?.body, timeout: max(timeout, .milliseconds(1)))
        } catch {
            return .failure(TaskFailure("\(error)"))
        }
        guard (200..<300).contains(response.status) else {
            return .failure(TaskFailure("\(method.rawValue) \(path): HTTP \(response.status): \(response.text.prefix(500))"))
        }
        guard let json = try? JSONValue(parsing: response.body), case .object = json else {
            return .failure(TaskFailure("\(method.rawValue) \(path): the answer is not a JSON object: \(response.text.prefix(500))"))
        }
        return .success(json)
    }

    /// An instance id as one path segment.
    static func escapePath(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? segment
    }
}
