import Foundation
import KubeCore

/// An `ngrinder` task: clones a performance test on an nGrinder controller, starts it and polls it until it
/// ends, as Flagger's load tester does (`pkg/loadtester/task_ngrinder.go`), following nGrinder's perftest REST
/// API (github.com/naver/ngrinder/wiki/REST-API-PerfTest), with HTTP basic authentication:
///
/// - `POST <server>/perftest/api/<clone>/clone_and_start`: the answer is the new test, its `id` names it;
/// - every `pollInterval`, `GET <server>/perftest/api/<id>/status`: `{"status": [{"status_id": …}]}`,
///   `FINISHED` succeeds, `STOP_BY_ERROR`, `CANCELED` and `UNKNOWN` fail, anything else (or an error) polls on;
/// - at the load tester's `--timeout` (or when the canary finished, or at shutdown),
///   `PUT <server>/perftest/api/<id>?action=stop`.
///
/// Paths resolve against `server` as references (a server `http://host/ngrinder/` keeps its path). An answer
/// with `"success": false` is an error.
///
/// Where Serin differs: `pollInterval` is the Go duration it reads as (Flagger multiplies it by a second, so
/// `5s` polled every 158 years; only a missing or invalid one polled every second); an invalid one is a 400.
struct NGrinderTask: Sendable {
    var server: URL
    var clone: Int
    var username: String
    var password: [UInt8]
    var pollInterval: Duration

    /// The default poll interval (what Flagger's documentation promises).
    static let defaultPollInterval: Duration = .seconds(1)

    /// The task the metadata describes, or a refusal naming the field (Flagger's wording).
    init(metadata: [String: String]) throws(TaskPayload.Invalid) {
        guard let server = metadata["server"], let clone = metadata["clone"], let username = metadata["username"],
            let passwd = metadata["passwd"], !server.isEmpty, !clone.isEmpty, !username.isEmpty, !passwd.isEmpty
        else {
            throw TaskPayload.Invalid(description: "server, clone, username and passwd are required metadata")
        }
        guard let url = URL(string: server), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw TaskPayload.Invalid(description: "invalid url: \(server): `server` must be an http(s) URL")
        }
        guard let id = Int(clone) else { throw TaskPayload.Invalid(description: "metadata clone must be integer: \"\(clone)\"") }
        guard let decoded = Data(base64Encoded: passwd) else {
            throw TaskPayload.Invalid(description: "metadata password is invalid: `passwd` is not base64")
        }
        self.server = url
        self.clone = id
        self.username = username
        password = Array(decoded)
        if let text = metadata["pollInterval"] {
            let interval: GoDuration
            do { interval = try GoDuration(parsing: text) } catch {
                throw TaskPayload.Invalid(description: "metadata pollInterval is invalid: \(error)")
            }
            guard interval.duration > .zero else { throw TaskPayload.Invalid(description: "metadata pollInterval must be more than 0, not \(text)") }
            pollInterval = interval.duration
        } else {
            pollInterval = NGrinderTask.defaultPollInterval
        }
    }

    /// `reference` resolved against the server, as Go's `URL.ResolveReference` does.
    func url(_ reference: String) -> String {
        URL(string: reference, relativeTo: server)?.absoluteString ?? server.absoluteString + reference
    }

    var cloneAndStart: String { url("perftest/api/\(clone)/clone_and_start") }
    func status(_ test: Int) -> String { url("perftest/api/\(test)/status") }
    func stop(_ test: Int) -> String { url("perftest/api/\(test)?action=stop") }

    /// The `Authorization` header for basic authentication.
    var authorization: (String, String) {
        ("Authorization", "Basic " + Data(Array(username.utf8) + [UInt8(ascii: ":")] + password).base64EncodedString())
    }

    /// What tells one run from another for a canary (Flagger's task hash: canary and clone id).
    func key(canary: String) -> String { "\(canary)\u{0}ngrinder\u{0}\(clone)" }
}
