import Foundation
import HTTPTypes
import Hummingbird
import KubeCore
import KubeRuntime
import NIOCore

/// The pages' server-sent event streams, fed by the one watch on Canaries: the overview gets each changed
/// row (`row`) or removed Canary (`gone`); a Canary's page a `changed` for each change of that Canary. A
/// comment every 15 s keeps proxies from closing an idle stream and finds closed pages.
extension DashboardRoutes {
    func overviewStream() -> Response {
        let changes = canaries.subscribe { change -> String in
            switch change {
            case .applied(let object), .appliedStatus(let object): return "event: row\ndata: \(DashboardPages.row(object.json).jsonString)\n\n"
            case .deleted(let object):
                let key = "\(object.metadata.namespace ?? "")/\(object.metadata.name ?? "")"
                return "event: gone\ndata: \(["key": .string(key)] as JSONValue)\n\n"
            }
        }
        return DashboardRoutes.stream(changes)
    }

    func canaryStream(namespace: String, name: String) -> Response {
        let changes = canaries.subscribe { change -> String? in
            let object = change.object
            guard object.metadata.namespace == namespace, object.metadata.name == name else { return nil }
            return "event: changed\ndata: {}\n\n"
        }
        return DashboardRoutes.stream(changes.compactMap { $0 })
    }

    /// An `text/event-stream` answer of `messages`, with a keep-alive comment every 15 s.
    static func stream<Messages: AsyncSequence & Sendable>(_ messages: Messages) -> Response where Messages.Element == String {
        let (merged, continuation) = AsyncStream.makeStream(of: String.self)
        let forward = Task {
            do { for try await message in messages { continuation.yield(message) } } catch {}
            continuation.finish()
        }
        let keepAlive = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(15))
                continuation.yield(": keep-alive\n\n")
            }
        }
        continuation.onTermination = { _ in
            forward.cancel()
            keepAlive.cancel()
        }
        let body = ResponseBody { writer in
            continuation.yield("retry: 2000\n\n")
            for await message in merged { try await writer.write(ByteBuffer(string: message)) }
            try await writer.finish(nil)
        }
        var response = answer(.ok, type: "text/event-stream", "")
        response.body = body
        return response
    }
}
