import Foundation
@testable import KubeAPIServer
import KubeCore
import LocalCluster
import SerinTesting
import Testing
@testable import KubeSandbox

@Suite struct SchemaValidatorTests {
    let schema: JSONValue = [
        "type": "object",
        "properties": [
            "spec": [
                "type": "object", "required": ["size"],
                "properties": [
                    "size": ["type": "integer", "minimum": 1, "maximum": 10],
                    "name": ["type": "string", "maxLength": 5, "pattern": "^[a-z]+$"],
                    "mode": ["type": "string", "enum": ["fast", "slow"], "default": "slow"],
                    "port": ["x-kubernetes-int-or-string": true],
                    "note": ["type": "string", "nullable": true],
                    "tags": ["type": "array", "maxItems": 2, "items": ["type": "string"]],
                    "free": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                    "labels": ["type": "object", "additionalProperties": ["type": "string"]],
                    "template": ["type": "object", "x-kubernetes-embedded-resource": true, "properties": ["spec": ["type": "object"]]],
                ],
            ]
        ],
    ]

    func check(_ spec: JSONValue) -> SchemaValidator.Outcome {
        SchemaValidator.validate(["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w"], "spec": spec], schema: schema)
    }

    @Test func aValidObjectIsDefaultedAndPrunedAndNothingElse() {
        let outcome = check([
            "size": 3, "port": "http", "note": .null, "unknown": 1, "free": ["anything": ["goes": true]],
            "labels": ["a": "b"], "template": ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"], "spec": [:]],
        ])
        #expect(outcome.causes.isEmpty, "\(outcome.causes)")
        #expect(outcome.unknownFields == ["spec.unknown"])
        #expect(
            outcome.object["spec"] == [
                "size": 3, "port": "http", "note": .null, "free": ["anything": ["goes": true]],
                "labels": ["a": "b"], "template": ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"], "spec": [:]],
                "mode": "slow",
            ])
        #expect(outcome.object[path: "metadata", "name"] == "w", "metadata is the server's")
    }

    @Test func eachConstraintIsAFieldErrorInKubernetesWords() {
        let outcome = check(["size": 11, "name": "Toolong", "mode": "warp", "port": true, "tags": ["a", "b", "c"], "labels": ["a": 1]])
        let messages = Set(outcome.causes.map { "\($0.field ?? ""): \($0.message ?? "")" })
        #expect(
            messages == [
                "spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10",
                "spec.name: Too long: may not be longer than 5",
                "spec.name: Invalid value: \"Toolong\": spec.name in body should match '^[a-z]+$'",
                "spec.mode: Unsupported value: \"warp\": supported values: \"fast\", \"slow\"",
                "spec.port: Invalid value: \"boolean\": spec.port in body must be of type integer or string: \"boolean\"",
                "spec.tags: Too many: 3: must have at most 2 items",
                "spec.labels.a: Invalid value: \"integer\": spec.labels.a in body must be of type string: \"integer\"",
            ], "\(messages)")
        #expect(check([:]).causes.map(\.field) == ["spec.size"], "required")
        #expect(check(["size": 2.5]).causes.first?.message?.contains("must be of type integer") == true)
    }

    @Test func oneOfHoldsForExactlyOneBranch() {
        let choice: JSONValue = [
            "type": "object", "oneOf": [["required": ["a"]], ["required": ["b"]]],
            "properties": ["a": ["type": "string"], "b": ["type": "string"]],
        ]
        #expect(SchemaValidator.check(["a": "x"], schema: choice, path: "spec").isEmpty)
        #expect(SchemaValidator.check(["a": "x", "b": "y"], schema: choice, path: "spec").first?.message?.contains("oneOf") == true)
        #expect(SchemaValidator.check([:], schema: choice, path: "spec").first?.message?.contains("oneOf") == true)
    }
}

/// Serin's own CRDs, enforced by the sandbox as a real API server enforces them on `kubectl apply`.
@Suite(.serialized) struct CRDSchemaTests {
    static let crds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("crds").path

    static func canary(_ spec: String) -> String {
        "apiVersion: flagger.app/v1beta1\nkind: Canary\nmetadata: {name: web, namespace: default}\nspec: \(spec)\n"
    }

    @Test func kubectlApplyOfAnInvalidCanaryFailsNamingEachField() async throws {
        try await withSandbox { sandbox in
            let kubectl = Kubectl(sandbox)
            try await kubectl.succeed(["apply", "-f", Self.crds])
            let refused = try await kubectl.run(
                ["apply", "-f", "-"],
                stdin: Self.canary(
                    "{provider: nginy, targetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, service: {port: eighty}, analysis: {interval: 1h, threshold: 1, stepWeight: 10}}"
                ))
            #expect(refused.status != 0)
            for text in [
                #"The Canary "web" is invalid"#, #"spec.provider: Unsupported value: "nginy""#,
                #"spec.service.port: Invalid value: "string": spec.service.port in body must be of type number: "string""#,
                #"spec.analysis.interval: Invalid value: "1h": spec.analysis.interval in body should match '^[0-9]+(m|s)'"#,
            ] {
                #expect(refused.stderr.contains(text), "\(text) in \(refused.stderr)")
            }
            let noThreshold = try await kubectl.run(
                ["apply", "-f", "-"],
                stdin: Self.canary(
                    "{targetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, service: {port: 80}, analysis: {interval: 1m, stepWeight: 10}}"))
            #expect(
                noThreshold.stderr.contains("spec.analysis: Invalid value: \"object\": must validate one and only one schema (oneOf)"),
                "\(noThreshold)")
            let missing = try await kubectl.run(["apply", "-f", "-"], stdin: Self.canary("{service: {port: 80}}"))
            #expect(
                missing.stderr.contains("spec.targetRef: Required value") && missing.stderr.contains("spec.analysis: Required value"), "\(missing)")
        }
    }

    @Test func unknownFieldsAreRefusedWarnedOrPrunedAsFieldValidationAsks() async throws {
        try await withSandbox { sandbox in
            let kubectl = Kubectl(sandbox)
            try await kubectl.succeed(["apply", "-f", Self.crds])
            let manifest = Self.canary(
                "{targetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, service: {port: 80, targetPort: http, colour: blue}, analysis: {interval: 1m, threshold: 2, stepWeight: 10}}"
            )
            let strict = try await kubectl.run(["apply", "-f", "-"], stdin: manifest)
            #expect(
                strict.status != 0
                    && strict.stderr.contains(
                        #"Canary in version "v1beta1" cannot be handled as a Canary: strict decoding error: unknown field "spec.service.colour""#),
                "\(strict)")
            let warned = try await kubectl.run(["apply", "--validate=warn", "-f", "-"], stdin: manifest)
            #expect(warned.status == 0 && warned.stderr.contains(#"Warning: unknown field "spec.service.colour""#), "\(warned)")
            let stored = try JSONValue(parsing: try await kubectl.succeed(["get", "canary", "web", "-o", "json"]))
            #expect(stored[path: "spec", "service"] == ["port": 80, "targetPort": "http"], "pruned; an int-or-string keeps its string")
        }
    }
}

@Suite struct GatewayAPICRDTests {
    @Test func theGatewayAPIsCRDsAreInstalledAndAnHTTPRoutesWeightsAreChecked() async throws {
        try await withSandbox { sandbox in
            let kubectl = Kubectl(sandbox)
            let resources = try await kubectl.succeed(["api-resources", "--api-group=gateway.networking.k8s.io", "-o", "name"])
            for name in ["gatewayclasses", "gateways", "httproutes", "grpcroutes", "referencegrants"] {
                #expect(resources.contains("\(name).gateway.networking.k8s.io"), "\(resources)")
            }
            let route = """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: web, namespace: default}
                spec:
                  parentRefs: [{name: gateway, namespace: istio-ingress}]
                  hostnames: [app.example.com]
                  rules:
                  - backendRefs: [{name: web-primary, port: 80, weight: 90}, {name: web-canary, port: 80, weight: WEIGHT}]
                """
            let refused = try await kubectl.run(["apply", "-f", "-"], stdin: route.replacingOccurrences(of: "WEIGHT", with: "2000000"))
            #expect(refused.stderr.contains("spec.rules[0].backendRefs[1].weight: Invalid value: 2000000"), "\(refused)")
            try await kubectl.succeed(["apply", "-f", "-"], stdin: route.replacingOccurrences(of: "WEIGHT", with: "10"))
            let stored = try JSONValue(parsing: try await kubectl.succeed(["get", "httproute", "web", "-o", "json"]))
            #expect(
                stored[path: "spec", "rules"]?[0]?["backendRefs"]?[1] == [
                    "group": "", "kind": "Service", "name": "web-canary", "port": 80, "weight": 10,
                ],
                "defaults filled in: \(stored)")
            #expect(try await kubectl.succeed(["get", "httproutes.v1beta1.gateway.networking.k8s.io", "web"]).contains("app.example.com"))
        }
    }
}
