import Foundation
import KubeCore
import Logging
import OutboundHTTP

/// A `concord` task: starts a process on a Concord server and waits for it to end, as Flagger's load tester
/// does (`pkg/loadtester/concord.go`), following Concord's process API (concord.walmartlabs.com/docs/api/process.html):
///
/// - `POST <server>/api/v1/process`, `multipart/form-data` with `org`, `project`, `repo`, `entryPoint`,
///   `arguments.endpoint` and one `arguments.<name>` per `arguments.<name>` metadata field, the API key (the
///   content of `apiKeyPath`) as the `Authorization` header; the answer's `instanceId` names the process.
/// - every `pollInterval` seconds, `GET <server>/api/v1/process/<instanceId>`: status `FINISHED` succeeds,
///   `FAILED` fails; past `pollTimeout` seconds the task fails.
///
/// Where Serin differs (each a case Flagger gets wrong): `pollTimeout` bounds the whole wait (Flagger restarts
/// it at every poll, so it never fires when `pollInterval` is shorter); `CANCELLED` and `TIMED_OUT` fail at once
/// (Flagger polls on until its `-timeout`); an HTTP error status fails (Flagger reads any JSON as an answer);
/// the API key file is read trimmed (a trailing newline made Go's request fail).
struct ConcordTask: Sendable {
    var server: URL
    var org: String
    var project: String
    var repo: String
    var entrypoint: String
    var apiKeyPath: String
    var endpoint: String
    /// The `arguments.<name>` fields, by name (without the prefix).
    var arguments: [String: String]
    var pollInterval: Duration
    var pollTimeout: Duration

    static let processPath = "/api/v1/process"
    /// Flagger's HTTP client timeout for each request.
    static let requestTimeout: Duration = .seconds(60)

    /// The task the metadata describes, or a refusal naming the field (Flagger's wording).
    init(metadata: [String: String]) throws(TaskPayload.Invalid) {
        func required(_ field: String) throws(TaskPayload.Invalid) -> String {
            guard let value = metadata[field], !value.isEmpty else {
                throw TaskPayload.Invalid(description: "`\(field)` is required with type concord")
            }
            return value
        }
        let serverText = try required("server")
        guard let url = URL(string: serverText), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw TaskPayload.Invalid(description: "`server` must be an http(s) URL, not \"\(serverText)\"")
        }
        server = url
        org = try required("org")
        project = try required("project")
        repo = try required("repo")
        entrypoint = try required("entrypoint")
        apiKeyPath = try required("apiKeyPath")
        guard FileManager.default.fileExists(atPath: apiKeyPath) else {
            throw TaskPayload.Invalid(description: "`apiKeyPath` file doesn't exist \(apiKeyPath)")
        }
        endpoint = try required("endpoint")
        pollInterval = try ConcordTask.seconds(metadata, "pollInterval", default: 5)
        pollTimeout = try ConcordTask.seconds(metadata, "pollTimeout", default: 30)
        if metadata["arguments.endpoint"] != nil {
            throw TaskPayload.Invalid(description: "You cannot override Endpoint through arguments. You must override Endpoint directly")
        }
        var arguments: [String: String] = [:]
        for (key, value) in metadata where key.hasPrefix("arguments.") { arguments[String(key.dropFirst("arguments.".count))] = value }
        self.arguments = arguments
    }

    /// A whole number of seconds, more than zero (Flagger's `strconv.Atoi`; zero made its ticker panic).
    static func seconds(_ metadata: [String: String], _ field: String, default value: Int) throws(TaskPayload.Invalid) -> Duration {
        guard let text = metadata[field] else { return .seconds(value) }
        guard let seconds = Int(text) else { throw TaskPayload.Invalid(description: "unable to convert `\(field)` to int") }
        guard (1...86_400).contains(seconds) else {
            throw TaskPayload.Invalid(description: "`\(field)` must be between 1 and 86400 seconds, not \(seconds)")
        }
        return .seconds(seconds)
    }

    /// The form that starts the process, in Flagger's field order (arguments sorted by name).
    func form(boundary: String = MultipartForm.randomBoundary()) -> MultipartForm {
        var form = MultipartForm(boundary: boundary)
        form.append("org", org)
        form.append("project", project)
        form.append("repo", repo)
        form.append("entryPoint", entrypoint)
        form.append("arguments.endpoint", endpoint)
        for (name, value) in arguments.sorted(by: { $0.key < $1.key }) { form.append("arguments.\(name)", value) }
        return form
    }

    /// `path` on the server (Go's `ResolveReference` of an absolute path: the server's own path is replaced).
    func url(_ path: String) -> String {
        var components = URLComponents()
        components.scheme = server.scheme
        components.host = server.host
        components.port = server.port
        components.percentEncodedPath = path
        return components.string ?? server.absoluteString + path
    }

    /// The `Authorization` header: the API key file's content, trimmed; none for an empty file.
    func authorization() throws(TaskPayload.Invalid) -> [(String, String)] {
        let key: String
        do { key = try String(contentsOfFile: apiKeyPath, encoding: .utf8) } catch {
            throw TaskPayload.Invalid(description: "failed to read the concord API key from \(apiKeyPath): \(error.localizedDescription)")
        }
        let trimmed = key.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? [] : [("Authorization", trimmed)]
    }
}
