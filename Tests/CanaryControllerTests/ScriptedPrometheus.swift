import Foundation
import Hummingbird
import KubeAPIServer
import KubeCore
import KubeSandbox
import NIOCore

/// The in-memory backend's Prometheus: answers each instant query with one number taken from the
/// behaviour annotations of the workload the query names (`destination_workload=~"<name>"`, in the
/// namespace it names), as the sandbox's traffic would measure it live: a latency query (one with
/// `histogram_quantile`) gets the workload's P99, a request count (`increase(`) 600 requests, every other query
/// its success rate in percent. A query naming no workload gets a healthy workload's answer. A range query
/// (`query_range`, compared metrics) gets one point per step: latencies scattered log-normally (σ 0.1) around
/// the P99, from a generator seeded by the query and the window, so a story is the same on every run.
struct ScriptedPrometheus: Sendable {
    let store: ObjectStore

    var responder: CallbackResponder<BasicRequestContext> {
        CallbackResponder { request, _ in
            let parameters = request.uri.queryParameters
            let query = parameters["query"].map { String($0) } ?? ""
            let value = await answer(query)
            let body: String
            if request.uri.path.hasSuffix("/query_range") {
                let (start, end, step) = (
                    Double(parameters["start"] ?? "") ?? 0, Double(parameters["end"] ?? "") ?? 0, Double(parameters["step"] ?? "") ?? 1
                )
                let points = series(
                    value, latency: query.contains("histogram_quantile"), count: Int(((end - start) / max(step, 0.001)).rounded(.down)) + 1,
                    seed: "\(query)@\(start)")
                let values = points.enumerated().map { #"[\#(start + Double($0.offset) * step),"\#($0.element)"]"# }.joined(separator: ",")
                body = #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[\#(values)]}]}}"#
            } else {
                body = #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"\#(value)"]}]}}"#
            }
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        }
    }

    func answer(_ query: String) async -> Double {
        let behaviour = await workload(named: label("destination_workload", in: query), namespace: label("destination_workload_namespace", in: query))
        if query.contains("increase(") { return 600 }
        return query.contains("histogram_quantile") ? behaviour.p99Milliseconds : 100 * (1 - behaviour.errorRatio)
    }

    /// `count` points around `value`: latencies scattered log-normally, rates as they are.
    func series(_ value: Double, latency: Bool, count: Int, seed: String) -> [Double] {
        var generator = SplitMix(seed: seed.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 })
        return (0..<min(max(count, 0), 1000)).map { _ in
            guard latency else { return value }
            let u1 = Double.random(in: Double.ulpOfOne..<1, using: &generator), u2 = Double.random(in: 0..<1, using: &generator)
            return value * exp(0.1 * (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
        }
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
