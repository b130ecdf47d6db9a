import Foundation
import KubeAPIServer
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

/// Every Canary Flagger publishes (its docs, tutorials and `artifacts/examples`, kept in `FlaggerExamples/`
/// with their source), applied unchanged but for its namespace: one Serin supports reaches `Initialized`;
/// one for a provider or feature Serin lacks is refused by name (`Valid=False` naming the field) — never
/// accepted in silence, never a crash. A fragment of the docs without a target or an analysis is refused by
/// the CRD's schema when applied, naming the field, as on a real cluster with Flagger's CRD.
@Suite struct FlaggerExamplesTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("FlaggerExamples")

    struct Example {
        var file: String
        var canary: JSONValue
        var namespace: String
        var name: String { canary[path: "metadata", "name"]?.stringValue ?? "" }
        /// What Serin runs: a whole Canary (with its target) for Istio or `kubernetes` (or the operator's
        /// default provider), without alerts or Gateway API references. Fragments of docs are refused for the
        /// target they lack.
        var supported: Bool {
            let spec = canary["spec"] ?? [:]
            return ["istio", "kubernetes", nil].contains(spec["provider"]?.stringValue) && spec[path: "analysis", "alerts"] == nil
                && spec["targetRef"] != nil && spec["analysis"] != nil && spec[path: "service", "gatewayRefs"] == nil
        }
    }

    static func examples() throws -> [Example] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }.sorted()
        return try files.enumerated().map { index, file in
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            var canary = try #require(try YAMLBridge.documents(text).first)
            canary[path: "metadata", "namespace"] = .string("example-\(index)")
            return Example(file: file, canary: canary, namespace: "example-\(index)")
        }
    }

    /// What the example's Canary needs that its tutorial creates: the target (with the ports the tutorials'
    /// podinfo has), its autoscaler, and the MetricTemplates it names.
    static func prerequisites(_ example: Example) -> [JSONValue] {
        let spec = example.canary["spec"] ?? [:]
        let target = spec[path: "targetRef", "name"]?.stringValue ?? "podinfo"
        var objects: [JSONValue] = [["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(example.namespace)]]]
        let ports: JSONValue = [
            ["name": "http", "containerPort": 9898], ["name": "http-metrics", "containerPort": 9797], ["name": "grpc", "containerPort": 9999],
        ]
        let template: JSONValue = [
            "metadata": ["labels": ["app": .string(target)], "annotations": ["sandbox.serin.dev/ready-after": "100ms"]],
            "spec": ["containers": [["name": "podinfod", "image": "ghcr.io/stefanprodan/podinfo:6.0.0", "ports": ports]]],
        ]
        let kind = spec[path: "targetRef", "kind"]?.stringValue ?? "Deployment"
        if spec[path: "targetRef", "apiVersion"] == "serving.knative.dev/v1" {
            // A Knative Service: the simulated Knative makes its first revision.
            objects.append([
                "apiVersion": "serving.knative.dev/v1", "kind": "Service",
                "metadata": ["name": .string(target), "namespace": .string(example.namespace)], "spec": ["template": template],
            ])
        } else {
            objects.append([
                "apiVersion": "apps/v1", "kind": .string(kind == "DaemonSet" ? "DaemonSet" : "Deployment"),
                "metadata": ["name": .string(target), "namespace": .string(example.namespace), "labels": ["app": .string(target)]],
                "spec": ["selector": ["matchLabels": ["app": .string(target)]], "template": template],
            ])
        }
        if let scaler = spec["autoscalerRef"], let name = scaler["name"]?.stringValue {
            objects.append(
                scaler["kind"] == "ScaledObject"
                    ? [
                        "apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
                        "metadata": ["name": .string(name), "namespace": .string(example.namespace)],
                        "spec": ["scaleTargetRef": ["name": .string(target)], "triggers": [["type": "cpu", "metadata": ["value": "80"]]]],
                    ]
                    : [
                        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                        "metadata": ["name": .string(name), "namespace": .string(example.namespace)],
                        "spec": [
                            "scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": .string(target)], "minReplicas": 2,
                            "maxReplicas": 4,
                        ],
                    ])
        }
        objects += routingPrerequisites(example)
        for metric in spec[path: "analysis", "metrics"]?.arrayValue ?? [] {
            guard let name = metric[path: "templateRef", "name"]?.stringValue else { continue }
            let namespace = metric[path: "templateRef", "namespace"]?.stringValue ?? example.namespace
            objects.append(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]])
            objects.append([
                "apiVersion": "flagger.app/v1beta1", "kind": "MetricTemplate", "metadata": ["name": .string(name), "namespace": .string(namespace)],
                "spec": ["provider": ["type": "prometheus", "address": "http://prometheus.istio-system:9090"], "query": "vector(1)"],
            ])
        }
        return objects
    }

    /// What the tutorial's ingress or gateway needs of the user: the Ingress `ingressRef` names (a path to the
    /// apex Service), the ApisixRoute of `routeRef`.
    static func routingPrerequisites(_ example: Example) -> [JSONValue] {
        let spec = example.canary["spec"] ?? [:]
        let service = spec[path: "service", "name"]?.stringValue ?? spec[path: "targetRef", "name"]?.stringValue ?? "podinfo"
        let port = spec[path: "service", "port"] ?? 80
        let metadata = { (name: String) -> JSONValue in ["name": .string(name), "namespace": .string(example.namespace)] }
        var objects: [JSONValue] = []
        if let name = spec[path: "ingressRef", "name"]?.stringValue {
            let backend: JSONValue = ["service": ["name": .string(service), "port": ["number": port]]]
            objects.append([
                "apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": metadata(name),
                "spec": ["rules": [["host": "app.example.com", "http": ["paths": [["path": "/", "pathType": "Prefix", "backend": backend]]]]]],
            ])
        }
        if let name = spec[path: "routeRef", "name"]?.stringValue, spec[path: "routeRef", "kind"] == "ApisixRoute" {
            objects.append([
                "apiVersion": "apisix.apache.org/v2", "kind": "ApisixRoute", "metadata": metadata(name),
                "spec": [
                    "http": [
                        [
                            "name": "method", "match": ["hosts": ["app.example.com"], "paths": ["/*"]],
                            "backends": [["serviceName": .string(service), "servicePort": port]],
                        ]
                    ]
                ],
            ])
        }
        return objects
    }

    @Test func everyPublishedExampleIsInitializedOrRefusedByName() async throws {
        let examples = try Self.examples()
        #expect(examples.count >= 35, "the examples are there: \(examples.count)")
        try await Scenario.run { world in
            var outcomes: [String: String] = [:]
            for example in examples {
                let objects = Self.prerequisites(example) + [example.canary]
                let documents = objects.map { String(decoding: $0.serialized(), as: UTF8.self) }.joined(separator: "\n")
                let applied = try await world.kubectl.run(["apply", "-f", "-"], stdin: documents)
                if applied.status != 0, applied.stderr.contains("The Canary \"\(example.name)\" is invalid") {
                    // A fragment of the docs (no target, no analysis): the CRD's schema refuses it, as a real cluster's does.
                    let causes = applied.stderr.components(separatedBy: "is invalid:").last ?? ""
                    let joined = causes.components(separatedBy: "\n* ").joined(separator: " ")
                    outcomes[example.file] = "refused: " + joined.trimmingCharacters(in: .whitespacesAndNewlines)
                } else {
                    #expect(applied.status == 0, "\(example.file): \(applied)")
                }
            }
            _ = try await eventually(timeout: .seconds(60)) {
                for example in examples where outcomes[example.file] == nil {
                    let status = try await world.status(example.name, namespace: example.namespace)
                    let valid = status["conditions"]?.arrayValue?.first { $0["type"] == "Valid" }
                    if status["phase"] == "Initialized" { outcomes[example.file] = "Initialized" }
                    if valid?["status"] == "False" { outcomes[example.file] = "refused: \(valid?["message"]?.stringValue ?? "")" }
                }
                return outcomes.count == examples.count
            }
            for example in examples {
                let outcome = outcomes[example.file] ?? "neither Initialized nor refused"
                if example.supported {
                    #expect(outcome == "Initialized", "\(example.file): \(outcome)")
                } else {
                    #expect(outcome.hasPrefix("refused: spec."), "\(example.file) is refused naming a field: \(outcome)")
                }
            }
            #expect(examples.filter(\.supported).count >= 13, "the Istio, kubernetes and KEDA tutorials among them")
        }
    }

    /// The examples of meshes the Istio operator above does not run (or, without `spec.provider`, runs as
    /// Istio), on an operator whose `--mesh-provider` is theirs, as their tutorials install Flagger.
    static let byProvider: [(provider: String, files: [String])] = [
        ("kuma", ["kuma-canary-1.yaml", "kuma-progressive-delivery-1.yaml"]), ("linkerd", ["linkerd-canary-1.yaml", "linkerd-canary-steps-1.yaml"]),
        (
            "gatewayapi:v1",
            (1...4).map { "gatewayapi-progressive-delivery-\($0).yaml" }
        ),
        ("gatewayapi:v1beta1", ["linkerd-progressive-delivery-1.yaml"]),
        ("nginx", ["nginx-progressive-delivery-1.yaml", "linkerd-progressive-delivery-2.yaml"]),
        ("skipper", ["skipper-progressive-delivery-1.yaml"]), ("traefik", ["traefik-progressive-delivery-1.yaml"]),
        ("contour", ["contour-progressive-delivery-1.yaml"]), ("apisix", ["apisix-progressive-delivery-1.yaml"]),
        ("gloo", ["gloo-progressive-delivery-1.yaml"]),
        ("knative", ["knative-progressive-delivery-1.yaml"]),
    ]

    @Test(.serialized, arguments: byProvider.map(\.provider))
    func theExamplesOfAMeshAreInitializedOnAnOperatorRunningIt(provider: String) async throws {
        let files = Self.byProvider.first { $0.provider == provider }?.files ?? []
        let examples = try Self.examples().filter { files.contains($0.file) }
        #expect(examples.count == files.count, "\(examples.map(\.file))")
        var setup = Scenario.Setup()
        setup.meshProvider = provider
        setup.gloo = provider == "gloo"
        try await Scenario.run(setup) { world in
            // One at a time: both Kuma examples are `podinfo`, and a TrafficRoute is cluster-scoped.
            for example in examples {
                let documents = (Self.prerequisites(example) + [example.canary]).map { String(decoding: $0.serialized(), as: UTF8.self) }
                try await world.kubectl.succeed(["apply", "-f", "-"], stdin: documents.joined(separator: "\n"))
                #expect(try await world.waitForPhase("Initialized", name: example.name, namespace: example.namespace), "\(example.file)")
                try await world.kubectl.succeed(["delete", "canary", example.name, "-n", example.namespace])
                if provider == "kuma" { try await world.kubectl.succeed(["delete", "trafficroute", example.name, "--ignore-not-found"]) }
            }
        }
    }
}
