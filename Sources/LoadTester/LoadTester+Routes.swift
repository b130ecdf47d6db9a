import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

extension LoadTester {
    /// One request, counted in the metrics by path and status.
    func respond(_ request: Request, body: [UInt8]) async -> Response {
        let response = await route(request, body: body)
        metrics.answered(path: request.uri.path, status: response.status.code)
        return response
    }

    /// Authentication, then the route.
    private func route(_ request: Request, body: [UInt8]) async -> Response {
        let path = request.uri.path
        if path == "/healthz" { return text(.ok, "OK") }
        if path == "/metrics" { return await metricsPage() }
        if let token = options.token, request.headers[.authorization] != "Bearer \(token)" {
            return text(.unauthorized, "a bearer token is required (Authorization: Bearer <token>)")
        }
        guard request.method == .post else { return text(.methodNotAllowed, "use POST with a Flagger webhook payload") }
        let payload: TaskPayload
        do { payload = try TaskPayload(parsing: body) } catch { return text(.badRequest, error.description) }
        if let pattern = options.namespacePattern, !LoadTester.matches(payload.namespace, pattern) {
            return text(.forbidden, "namespace \"\(payload.namespace)\" is not served (--namespace-regexp)")
        }
        if TaskPayload.finishedPhases.contains(payload.phase) {
            await tasks.finished(canary: payload.canary)
            await runs.finished(canary: payload.canary)
        }
        switch path {
        case "/": return await task(payload)
        case "/gate/approve": return text(.ok, "Approved")
        case "/gate/halt": return text(.forbidden, "Forbidden")
        case "/gate/check": return check(payload.canary)
        case "/gate/open": return setGate(payload.canary, open: true)
        case "/gate/close": return setGate(payload.canary, open: false)
        case "/rollback/check": return check("rollback.\(payload.canary)")
        case "/rollback/open": return setGate("rollback.\(payload.canary)", open: true)
        case "/rollback/close": return setGate("rollback.\(payload.canary)", open: false)
        default: return text(.notFound, "not found: POST /, /gate/{check,open,close,approve,halt} or /rollback/{check,open,close}")
        }
    }

    /// Whether `namespace` matches all of the pattern (validated at start).
    static func matches(_ namespace: String, _ pattern: String) -> Bool {
        guard let regex = try? Regex(pattern) else { return false }
        return (try? regex.wholeMatch(in: namespace)) != nil
    }

    private func check(_ key: String) -> Response {
        gates.isOpen(key) ? text(.ok, "Approved") : text(.forbidden, "Forbidden")
    }

    private func setGate(_ key: String, open: Bool) -> Response {
        gates.set(key, open: open)
        logger.info(open ? "gate opened" : "gate closed", metadata: ["gate": "\(key)"])
        return text(.accepted, open ? "Gate opened" : "Gate closed")
    }

    /// `POST /`: a task, by `metadata.type`.
    private func task(_ payload: TaskPayload) async -> Response {
        if payload.type == "event" { return text(.accepted, "OK") }  // an event webhook: nothing to run
        guard !payload.metadata.isEmpty else { return text(.badRequest, "metadata not found in payload") }
        let type = payload.metadata["type"] ?? "cmd"
        switch type {
        case "cmd":
            guard let command = payload.metadata["cmd"], !command.isEmpty else { return text(.badRequest, "cmd not found in metadata") }
            if let refusal = UnbundledTools.refusal(for: command, path: tasks.environment["PATH"] ?? "") { return text(.badRequest, refusal) }
            switch await tasks.call(canary: payload.canary, command: command, logOutput: payload.metadata["logCmdOutput"] == "true") {
            case .started: return text(.accepted, "command started")
            case .alreadyRunning: return text(.accepted, "command already running")
            case .previousRunFailed(let reason): return text(.internalServerError, reason)
            case .refused(let reason): return text(.forbidden, reason)
            }
        case "bash":
            guard let command = payload.metadata["cmd"], !command.isEmpty else { return text(.badRequest, "cmd not found in metadata") }
            if let refusal = UnbundledTools.refusal(for: command, path: tasks.environment["PATH"] ?? "") { return text(.badRequest, refusal) }
            return await runToCompletion(
                options.policy.invocation(of: command, shell: "bash"), type: "bash", command: command,
                returnOutput: payload.metadata["returnCmdOutput"] == "true")
        case "kubectl", "helm", "helmv3":
            guard let command = payload.metadata["cmd"], !command.isEmpty else { return text(.badRequest, "cmd not found in metadata") }
            let program = type == "kubectl" ? "kubectl" : "helm"
            let words = command.split(whereSeparator: \.isWhitespace).map(String.init)
            let invocation: Result<CommandPolicy.Invocation, CommandPolicy.Refusal> =
                options.policy.allowed.map { $0.contains(program) } == false
                ? .failure(CommandPolicy.Refusal(description: "program \"\(program)\" is not allowed (--allow)"))
                : .success(CommandPolicy.Invocation(executable: program, arguments: words))
            return await runToCompletion(
                invocation, type: program, command: "\(program) \(command)", returnOutput: payload.metadata["returnCmdOutput"] == "true")
        case "concord", "ngrinder":
            // They read a file and send it to, or call, a server the payload names: with an allowlist, only when named.
            if let allowed = options.policy.allowed, !allowed.contains(type) {
                return text(
                    .forbidden, "task type \(type) is not allowed (--allow \(allowed.sorted().joined(separator: ",")); add \(type) to allow it)")
            }
            return type == "concord" ? await concord(payload) : await ngrinder(payload)
        default:
            return text(.badRequest, "unknown task type \"\(type)\" (supported: cmd, bash, kubectl, helm, helmv3, concord, ngrinder)")
        }
    }

    /// Runs a command to completion within the task timeout: 200 on exit status 0, else 500 with its output.
    private func runToCompletion(
        _ invocation: Result<CommandPolicy.Invocation, CommandPolicy.Refusal>, type: String, command: String,
        returnOutput: Bool
    ) async -> Response {
        let found: CommandPolicy.Invocation
        switch invocation {
        case .success(let value): found = value
        case .failure(let refusal): return text(.forbidden, refusal.description)
        }
        let process: ChildProcess
        do { process = try ChildProcess(executable: found.executable, arguments: found.arguments, environment: tasks.environment) } catch {
            return text(.internalServerError, "failed to start \(found.executable): \(error)")
        }
        metrics.started(type)
        metrics.running(type, 1)
        defer { metrics.running(type, -1) }
        let timeout = options.timeout
        let exit = await withTaskGroup(of: ChildProcess.Exit?.self) { group in
            group.addTask { await process.wait() }
            group.addTask {
                do { try await Task.sleep(for: timeout) } catch { return nil }
                await process.stop()
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let exit, exit.status == 0, !exit.signalled else {
            metrics.failed(type)
            guard let exit else { return text(.internalServerError, "command \"\(command)\" timed out after \(timeout)") }
            return text(.internalServerError, "command \"\(command)\" failed with exit status \(exit.status): \(exit.output)")
        }
        metrics.succeeded(type)
        return text(.ok, returnOutput ? exit.output : "")
    }

    func text(_ status: HTTPResponse.Status, _ message: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: message)))
    }
}
