import Foundation
import Hummingbird
import KubeAPIServer
import KubeCore
import KubeSandbox
import Logging
import NIOCore

/// A local receiver for the demo's AlertProvider (`type: webhook`, Serin's JSON body): prints each alert as
/// it arrives, as a chat room would show it.
final class DemoAlertReceiver: Sendable {
    let server: LoopbackServer

    static func start(console: DemoConsole) async throws -> DemoAlertReceiver {
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            let alert: JSONValue
            do { alert = try JSONValue(parsing: Array(buffer: body)) } catch {
                return Response(status: .badRequest, body: ResponseBody(byteBuffer: ByteBuffer(string: "not JSON: \(error)")))
            }
            console.line(DemoAlertReceiver.render(alert, console: console))
            return Response(status: .ok)
        }
        var quiet = Logger(label: "serin.demo.alerts")
        quiet.logLevel = .critical
        return DemoAlertReceiver(server: try await LoopbackServer.start(responder, port: 0, logger: quiet))
    }

    private init(server: LoopbackServer) { self.server = server }

    var url: String { "http://127.0.0.1:\(server.port)/alerts" }

    /// `   🔔 alert [warn] httpbin.demo: Canary is waiting for approval.` (no emoji without colour).
    static func render(_ alert: JSONValue, console: DemoConsole) -> String {
        let severity = alert["severity"]?.stringValue ?? "info"
        let colour =
            switch severity {
            case "error": "31";
            case "warn": "33";
            default: "34"
            }
        let name = "\(alert["name"]?.stringValue ?? "").\(alert["namespace"]?.stringValue ?? "")"
        let bell = console.color ? "🔔" : "**"
        return "   \(bell) " + console.style("alert [\(severity)] \(name): \(alert["message"]?.stringValue ?? "")", colour)
    }

    func stop() async { await server.stop() }
}
