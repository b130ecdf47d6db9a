@testable import CanaryController
import CanaryAPI
import Foundation
import Hummingbird
import HummingbirdCore
import KubeClient
import KubeCore
import KubeRuntime
import NIOCore
import SerinTesting
import Synchronization
import Testing

/// Two tenants: `platform` owns a MetricTemplate with a Secret, `team-a`'s Canary uses it and points
/// `spec.metricsServer` at a server of its own. That server must never see platform's token, and the
/// Canary must say why its analysis cannot run.
@Suite struct MetricTenancyScenarioTests {
    static let token = "platform-T0KEN-5d41402abc4b2a76"

    @Test func aCanaryCannotRedirectAnotherNamespacesCredentials() async throws {
        let requests = Mutex<[String]>([])
        let collector = CallbackResponder<BasicRequestContext> { request, _ in
            requests.withLock { $0.append(request.uri.description) }
            let body = #"{"status":"success","data":{"resultType":"vector","result":[{"value":[1,"0"]}]}}"#
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        }
        try await StubServer.serve(collector) { port in
            try await ReconcilerHarness.with { harness in
                try await Self.plantPlatformTemplate(harness)
                try await harness.apply(.deployments, ReconcilerHarness.deployment("podinfo"))
                var canary = ReconcilerHarness.canary(
                    "podinfo",
                    analysis: [
                        "interval": "30s", "threshold": 2, "stepWeight": 10, "maxWeight": 30,
                        "metrics": [["name": "errors", "templateRef": ["name": "errors", "namespace": "platform"], "thresholdRange": ["max": 1]]],
                    ])
                canary["spec"]?["metricsServer"] = .string("http://user:team-a-pw@127.0.0.1:\(port)")
                try await harness.apply(ReconcilerHarness.canaries, canary)
                #expect(try await harness.reconcile("podinfo") == .awaitChange)
                let valid = try await harness.status("podinfo")["conditions"]?.arrayValue?.first { $0["type"] == "Valid" }
                let message = valid?["message"]?.stringValue ?? ""
                #expect(valid?["status"] == "False" && valid?["reason"] == "InvalidReference", "\(String(describing: valid))")
                #expect(
                    message.contains("spec.analysis.metrics[0].templateRef: metric template errors.platform has credentials (provider.secretRef)"),
                    "\(message)")
                #expect(message.contains("http://user:REDACTED@127.0.0.1:\(port)") && !message.contains("team-a-pw"), "\(message)")
                #expect(try await harness.warnings("podinfo", containing: "never to the Canary's spec.metricsServer"))
            }
        }
        #expect(requests.withLock { $0 }.isEmpty, "team-a's server was asked nothing")
    }

    /// The Secret and the template in `platform`, once the operator's template cache holds it.
    static func plantPlatformTemplate(_ harness: ReconcilerHarness) async throws {
        _ = try await harness.client.resource(.namespaces, as: JSONValue.self).create(["metadata": ["name": "platform"]], namespace: nil)
        _ = try await harness.client.resource(.secrets, as: JSONValue.self).create(
            ["metadata": ["name": "prom-auth"], "stringData": ["token": .string(token)]], namespace: "platform")
        _ = try await harness.client.resource(MetricTemplate.resource, as: JSONValue.self).create(
            [
                "apiVersion": "flagger.app/v1beta1", "kind": "MetricTemplate", "metadata": ["name": "errors"],
                "spec": ["provider": ["type": "prometheus", "secretRef": ["name": "prom-auth"]], "query": "sum(up) * 0"],
            ], namespace: "platform")
        let cached = try await eventually(timeout: .seconds(10)) {
            harness.canaryOperator.related.contains { $0.resourceName.hasPrefix("metrictemplates") && !$0.cache.list(namespace: "platform").isEmpty }
        }
        #expect(cached, "the operator's template cache holds platform's template")
    }
}
