import Foundation
import KubeCore
import Logging
import NIOHTTP1
import OutboundHTTP

extension NGrinderTask {
    /// How long each request may take.
    static let requestTimeout: Duration = .seconds(30)

    /// Clones and starts the test, then polls it: `nil` once it finished, else why the task failed. At `limit`
    /// (the load tester's `--timeout`) or on cancellation the test is stopped.
    func run(http: OutboundHTTP, limit: Duration, logger: Logger) async -> String? {
        let deadline = ContinuousClock.now + limit
        let test: Int
        switch await request(http, .POST, cloneAndStart) {
        case .success(let json):
            guard let id = json["id"]?.doubleValue.flatMap({ Int(exactly: $0) }) else {
                return "failed to clone and start ngrinder test \(cloneAndStart): the answer has no test id: \(json)"
            }
            test = id
        case .failure(let failure):
            return "failed to clone and start ngrinder test \(cloneAndStart): \(failure)"
        }
        logger.info("ngrinder test started", metadata: ["clone": "\(clone)", "test": "\(test)"])
        while true {
            do { try await Task.sleep(until: min(ContinuousClock.now + pollInterval, deadline)) } catch {
                await stopTest(test, http: http, logger: logger)
                return "ngrinder test \(test) stopped: the run was cancelled"
            }
            if ContinuousClock.now >= deadline {
                await stopTest(test, http: http, logger: logger)
                return "ngrinder test \(test) timed out after \(GoDuration(limit)) and was stopped"
            }
            switch await request(http, .GET, status(test)) {
            case .success(let json):
                let state = json["status"]?[0]?["status_id"]?.stringValue ?? ""
                logger.debug("ngrinder test status", metadata: ["test": "\(test)", "status": "\(state)"])
                switch state {
                case "FINISHED": return nil
                case "STOP_BY_ERROR", "CANCELED", "UNKNOWN": return "ngrinder test \(test) ended with status \(state)"
                default: continue
                }
            case .failure(let failure):  // as Flagger: a failed poll is retried at the next interval
                logger.debug("failed to poll the ngrinder test", metadata: ["test": "\(test)", "error": "\(failure)"])
            }
        }
    }

    /// `PUT …?action=stop`, whatever happened to the run (its own deadline, not the cancelled task's).
    private func stopTest(_ test: Int, http: OutboundHTTP, logger: Logger) async {
        let result = await Task.detached { await request(http, .PUT, stop(test)) }.value
        if case .failure(let failure) = result {
            logger.warning("failed to stop the ngrinder test", metadata: ["test": "\(test)", "error": "\(failure)"])
        }
    }

    /// One request with basic authentication: the answer's JSON object, or why there is none (an answer with
    /// `"success": false` is an error, as in Flagger).
    func request(_ http: OutboundHTTP, _ method: HTTPMethod, _ url: String) async -> Result<JSONValue, TaskFailure> {
        let response: OutboundHTTP.Response
        do {
            response = try await http.send(
                method, url, headers: [authorization], body: method == .GET ? nil : [], timeout: NGrinderTask.requestTimeout)
        } catch {
            return .failure(TaskFailure("request failed: \(error)"))
        }
        guard let json = try? JSONValue(parsing: response.body), case .object = json else {
            return .failure(TaskFailure("json unmarshalling failed for HTTP \(response.status): \(response.text.prefix(500))"))
        }
        if json["success"]?.boolValue == false || !(200..<300).contains(response.status) {
            return .failure(TaskFailure("request failed: HTTP \(response.status): \(response.text.prefix(500))"))
        }
        return .success(json)
    }
}
