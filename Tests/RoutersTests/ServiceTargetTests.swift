import CanaryAPI
import KubeCore
@testable import Targets
import Testing

/// The copies a Service target gets: what the cluster assigns is never copied, and kept once assigned.
@Suite struct ServiceTargetTests {
    let target: JSONValue = [
        "apiVersion": "v1", "kind": "Service",
        "metadata": [
            "name": "podinfo", "namespace": "test", "labels": ["team": "web"],
            "annotations": ["kubectl.kubernetes.io/last-applied-configuration": "{}", "note": "kept", "kustomize.toolkit.fluxcd.io/name": "apps"],
        ],
        "spec": [
            "type": "NodePort", "clusterIP": "10.0.0.7", "clusterIPs": ["10.0.0.7"], "selector": ["app": "podinfo", "version": "blue"],
            "ports": [["name": "http", "port": 9898, "targetPort": 9898, "nodePort": 30080]],
        ],
    ]

    func canary(_ extra: JSONValue = [:]) throws -> Canary {
        var json: JSONValue = [
            "apiVersion": "flagger.app/v1beta1", "kind": "Canary", "metadata": ["name": "podinfo", "namespace": "test"],
            "spec": [
                "targetRef": ["apiVersion": "v1", "kind": "Service", "name": "podinfo"], "service": ["port": 9898],
                "analysis": ["interval": "1m", "threshold": 5, "stepWeight": 10, "maxWeight": 50],
            ],
        ]
        for (key, value) in extra.objectValue ?? [:] { json[path: "spec", key] = value }
        return try json.decode(as: Canary.self)
    }

    @Test func aNewCopyHasTheTargetsSpecWithoutAssignedFieldsOrKubectlsAnnotation() throws {
        let copy = ServiceTarget.copy(of: target, canary: try canary(), live: nil, metadata: nil)
        #expect(copy[path: "spec", "clusterIP"] == nil && copy[path: "spec", "clusterIPs"] == nil)
        #expect(copy[path: "spec", "ports"]?[0]?["nodePort"] == nil, "the API server would refuse a node port already allocated")
        #expect(copy[path: "spec", "selector"] == target[path: "spec", "selector"])
        #expect(copy[path: "metadata", "labels"] == ["team": "web"])
        #expect(copy[path: "metadata", "annotations"] == ["note": "kept"])
        #expect(ServiceTarget.revision(copy) == ServiceTarget.revision(target), "a copy is the same revision")
    }

    @Test func aLiveCopyKeepsWhatTheClusterAssignedAndTakesTheTargetsNewSpec() throws {
        var live = ServiceTarget.copy(of: target, canary: try canary(), live: nil, metadata: nil)
        live[path: "spec", "clusterIP"] = "10.0.0.9"
        live[path: "spec", "ports"] = [["name": "http", "port": 9898, "targetPort": 9898, "nodePort": 31111]]
        var changed = target
        changed[path: "spec", "selector", "version"] = "green"
        let distributed = try canary(["service": ["port": 9898, "trafficDistribution": "PreferClose"]])
        let copy = ServiceTarget.copy(of: changed, canary: distributed, live: live, metadata: nil)
        #expect(copy[path: "spec", "clusterIP"] == "10.0.0.9")
        #expect(copy[path: "spec", "ports"]?[0]?["nodePort"] == 31111)
        #expect(copy[path: "spec", "selector", "version"] == "green")
        #expect(copy[path: "spec", "trafficDistribution"] == "PreferClose")
        #expect(ServiceTarget.revision(changed) != ServiceTarget.revision(target))
    }

    @Test func whatAServiceTargetCannotDoIsRefusedByName() throws {
        let context = ValidationContext(routers: [.istio, .kubernetes], targets: [.deployment, .service])
        let good = try canary().validate(context)
        #expect(good.isEmpty, "\(good)")
        let bad = try canary([
            "provider": "kubernetes", "service": ["name": "frontend", "port": 9898],
            "autoscalerRef": ["apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "name": "podinfo"],
        ])
        let issues = bad.validate(context).map(\.description)
        for field in ["spec.service.name", "spec.provider", "spec.autoscalerRef"] {
            #expect(issues.contains { $0.hasPrefix(field + ": ") }, "\(field) in \(issues)")
        }
    }
}
