import ArgumentParser
import CanaryAPI
import Foundation
import KubeCore

extension JSONBenchmark {
    /// A Canary that rolled out with two metrics, as the operator reads it on every reconcile: decoded from its
    /// document, and its status encoded for the status patch (directly, and through `JSONEncoder` and a parse
    /// as before `JSONValueEncoder`, in the same run).
    func typed() throws {
        let document = try Self.canaryDocument()
        let repetitions = 10_000
        var canary: Canary?
        let decode = try best { for _ in 0..<repetitions { canary = try document.decode(as: Canary.self) } }
        guard let status = canary?.status else { throw ValidationError("the Canary decoded without its status") }
        var direct: JSONValue = .null
        let encode = try best { for _ in 0..<repetitions { direct = try JSONValue(encoding: status) } }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var viaText: JSONValue = .null
        let foundation = try best { for _ in 0..<repetitions { viaText = try JSONValue(parsing: encoder.encode(status)) } }
        guard direct.serialized() == viaText.serialized() else { throw ValidationError("the two encodings of the status differ") }
        func micro(_ seconds: Double) -> Double { seconds / Double(repetitions) * 1e6 }
        print(
            String(
                format: "a Canary of %d bytes decoded: %.1f µs; its status encoded: %.1f µs (through JSONEncoder and a parse: %.1f µs)",
                document.serialized().count, micro(decode), micro(encode), micro(foundation)))
    }

    static func canaryDocument() throws -> JSONValue {
        let metrics = [
            JournalEntry.Metric(
                name: "request-success-rate", query: "sum(rate(istio_requests_total[1m]))", value: 99.5, threshold: ">= 99", passed: true,
                message: nil),
            JournalEntry.Metric(
                name: "request-duration", query: "histogram_quantile(0.99, sum(rate(b[1m])) by (le))", value: 120, threshold: "<= 500", passed: true,
                message: nil),
        ]
        let journal = (0..<10).map { step in
            JournalEntry(
                time: "2026-12-06T19:\(10 + step):00Z", from: "Progressing \(step * 10)%", to: "Progressing \(step * 10 + 10)%", metrics: metrics,
                webhooks: nil, decision: ["Advance podinfo.test canary weight \(step * 10 + 10)"])
        }.compacted
        var document: JSONValue = [
            "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
            "metadata": [
                "name": "podinfo", "namespace": "test", "uid": "6f1c2a9e-1b2c-4d5e-8f90-123456789abc", "resourceVersion": "123456", "generation": 3,
            ],
            "spec": [
                "targetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"],
                "service": [
                    "port": 9898, "targetPort": 9898, "gateways": ["public-gateway.istio-system.svc.cluster.local"], "hosts": ["app.example.com"],
                ],
                "analysis": [
                    "interval": "1m", "threshold": 5, "maxWeight": 50, "stepWeight": 10,
                    "metrics": [
                        ["name": "request-success-rate", "thresholdRange": ["min": 99], "interval": "1m"],
                        ["name": "request-duration", "thresholdRange": ["max": 500], "interval": "30s"],
                    ],
                    "webhooks": [
                        [
                            "name": "load-test", "url": "http://flagger-loadtester.test/", "timeout": "5s",
                            "metadata": ["cmd": "hey -z 1m http://podinfo-canary.test:9898/"],
                        ]
                    ],
                ],
            ],
            "status": [
                "phase": "Progressing", "canaryWeight": 40, "failedChecks": 0, "iterations": 0, "lastAppliedSpec": "5d8f9b7c6",
                "lastPromotedSpec": "7c9d8e6f5",
                "lastTransitionTime": "2026-12-06T19:20:00Z",
                "conditions": [
                    [
                        "type": "Promoted", "status": "Unknown", "lastUpdateTime": "2026-12-06T19:20:00Z",
                        "lastTransitionTime": "2026-12-06T19:10:00Z",
                        "reason": "Progressing", "message": "New revision detected, progressing canary analysis.",
                    ]
                ],
            ],
        ]
        document[path: "status", "journal"] = try JSONValue(encoding: journal)
        return document
    }
}
