import CanaryAPI
import Foundation
import HTTPTypes
import Hummingbird
import KubeClient
import KubeCore
import KubeRuntime
import NIOCore
import Synchronization

/// What the dashboard answers: pages, the script and stylesheet, the event streams and the actions, each
/// behind ``DashboardGuard``.
final class DashboardRoutes: Sendable {
    let canaries: Reflector<DynamicObject>
    let reader: DashboardReader
    let writer: CanaryRequestWriter
    let namespace: String?
    let token: String
    /// The bound port, once known (the guard checks `Host` against it).
    let port = Mutex(0)

    init(canaries: Reflector<DynamicObject>, reader: DashboardReader, writer: CanaryRequestWriter, namespace: String?, token: String) {
        self.canaries = canaries
        self.reader = reader
        self.writer = writer
        self.namespace = namespace
        self.token = token
    }

    func responder(port: @escaping @Sendable () -> Int) -> CallbackResponder<BasicRequestContext> {
        CallbackResponder { request, _ in
            let guardian = DashboardGuard(port: port(), token: self.token)
            let header = { (name: String) in HTTPField.Name(name).flatMap { request.headers[$0] } }
            if let refusal = guardian.refusal(
                method: request.method.rawValue, host: request.head.authority, origin: header("Origin"), token: header("X-Serin-Token"))
            {
                return DashboardRoutes.answer(.forbidden, type: "application/json", DashboardRoutes.message(refusal))
            }
            return await self.route(request)
        }
    }

    private func route(_ request: Request) async -> Response {
        let parts = request.uri.path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        switch (request.method, parts.count) {
        case (.get, 0): return await overview()
        case (.get, 2) where parts[0] == "static": return asset(parts[1])
        case (.get, 1) where parts[0] == "stream": return overviewStream()
        case (.get, 4) where parts[0] == "stream" && parts[1] == "canary": return canaryStream(namespace: parts[2], name: parts[3])
        case (.get, 3) where parts[0] == "canary": return await canaryPage(namespace: parts[1], name: parts[2], fragment: false)
        case (.get, 4) where parts[0] == "canary" && parts[3] == "live": return await canaryPage(namespace: parts[1], name: parts[2], fragment: true)
        case (.post, 4) where parts[0] == "canary": return await act(parts[3], namespace: parts[1], name: parts[2])
        default: return DashboardRoutes.answer(.notFound, type: "text/plain; charset=utf-8", "not found")
        }
    }

    private func overview() async -> Response {
        await waitForCanaries()
        let list = canaries.cache.list().map(\.json)
        return DashboardRoutes.answer(.ok, type: "text/html; charset=utf-8", DashboardPages.overview(list, namespace: namespace, token: token))
    }

    private func canaryPage(namespace: String, name: String, fragment: Bool) async -> Response {
        await waitForCanaries()
        guard let canary = canaries.cache.get(namespace: namespace, name: name)?.json else {
            return DashboardRoutes.answer(
                .notFound, type: "text/plain; charset=utf-8", "canary \(namespace)/\(name) not found (or not yours to list)")
        }
        let live = DashboardCanaryPage(
            canary: canary, events: await reader.events(namespace: namespace, name: name), objects: await reader.objects(of: canary)
        ).render()
        let html = fragment ? live : DashboardPages.canary(namespace: namespace, name: name, live: live, token: token)
        return DashboardRoutes.answer(.ok, type: "text/html; charset=utf-8", html)
    }

    /// Carries out an action with the user's client; the API server's refusal (403) is the answer's.
    private func act(_ action: String, namespace: String, name: String) async -> Response {
        do {
            let outcome: CanaryRequestWriter.Outcome
            switch action {
            case "pause": outcome = try await writer.pause(name: name, namespace: namespace)
            case "resume": outcome = try await writer.resume(name: name, namespace: namespace)
            default:
                guard let request = ControlRequest.Action(rawValue: action) else {
                    return DashboardRoutes.answer(.notFound, type: "application/json", DashboardRoutes.message("unknown action \(action)"))
                }
                outcome = try await writer.request(request, name: name, namespace: namespace)
            }
            let message =
                switch outcome {
                case .written(let text), .nothing(let text): text
                }
            return DashboardRoutes.answer(.ok, type: "application/json", DashboardRoutes.message(message))
        } catch let error as KubeAPIError {
            return DashboardRoutes.answer(
                HTTPResponse.Status(code: error.status.code ?? 500), type: "application/json",
                DashboardRoutes.message(DashboardReader.message(error)))
        } catch {
            return DashboardRoutes.answer(.badRequest, type: "application/json", DashboardRoutes.message(DashboardReader.message(error)))
        }
    }

    private func asset(_ name: String) -> Response {
        switch name {
        case "dashboard.js": DashboardRoutes.answer(.ok, type: "text/javascript; charset=utf-8", DashboardAssets.script)
        case "dashboard.css": DashboardRoutes.answer(.ok, type: "text/css; charset=utf-8", DashboardAssets.stylesheet)
        default: DashboardRoutes.answer(.notFound, type: "text/plain; charset=utf-8", "not found")
        }
    }

    /// Waits (a few seconds at most) for the first list of Canaries.
    private func waitForCanaries() async {
        guard !canaries.cache.isSynced else { return }
        let cache = canaries.cache
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await cache.waitUntilSynced() }
            group.addTask { try? await Task.sleep(for: .seconds(5)) }
            await group.next()
            group.cancelAll()
        }
    }

    /// `{"message": text}`.
    static func message(_ text: String) -> String { (["message": .string(text)] as JSONValue).jsonString }

    /// An answer with the guard's headers.
    static func answer(_ status: HTTPResponse.Status, type: String, _ text: String) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = type
        for (name, value) in DashboardGuard.headers { if let field = HTTPField.Name(name) { fields[field] = value } }
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
