import Foundation
import Hummingbird
import KubeAPIServer
import KubeCore
import KubeSandbox
import NIOCore

/// The in-memory backend's Prometheus: answers each instant query with one number taken from the
/// behaviour annotations of the workload the query names (`destination_workload=~"<name>"`, in the
/// namespace it names), as the sandbox's traffic would measure it live: a latency query (one with
/// `histogram_quantile`) gets the workload's P99, every other query its success rate in percent. A query
/// naming no workload gets a healthy workload's answer.
struct ScriptedPrometheus: Sendable {
    let store: ObjectStore

    var responder: CallbackResponder<BasicRequestContext> {
        CallbackResponder { request, _ in
            let query = request.uri.queryParameters["query"].map { String($0) } ?? ""
            let value = await answer(query)
            let body = #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"\#(value)"]}]}}"#
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        }
    }

    func answer(_ query: String) async -> Double {
        let behaviour = await workload(named: label("destination_workload", in: query), namespace: label("destination_workload_namespace", in: query))
        return query.contains("histogram_quantile") ? behaviour.p99Milliseconds : 100 * (1 - behaviour.errorRatio)
    }

    private func workload(named name: String?, namespace: String?) async -> WorkloadBehaviour {
        guard let name, let namespace, let deployments = await store.type(plural: "deployments", group: "apps") else { return WorkloadBehaviour() }
        do { return WorkloadBehaviour(workload: try await store.get(deployments, namespace: namespace, name: name)) } catch {
            return WorkloadBehaviour()  // not there (yet): a healthy workload
        }
    }

    /// The value of `label="…"` or `label=~"…"` in a PromQL selector.
    private func label(_ label: String, in query: String) -> String? {
        for operation in ["=~\"", "=\""] {
            guard let start = query.range(of: label + operation) else { continue }
            let rest = query[start.upperBound...]
            return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
        }
        return nil
    }
}
