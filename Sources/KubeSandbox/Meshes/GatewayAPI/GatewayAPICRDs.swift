import KubeAPIServer
import KubeCore

/// The Gateway API's standard CRDs (GatewayClass, Gateway, HTTPRoute, GRPCRoute, ReferenceGrant; `v1`, and
/// `v1beta1` served from the same storage), as installing `standard-install.yaml` would create them. The
/// schemas keep what they do not declare but check what a router writes most: an HTTPRoute's backend
/// weights (0 to 1,000,000), its backends' names and ports, and at most 16 rules and 16 backends per rule.
enum GatewayAPICRDs {
    static let group = "gateway.networking.k8s.io"

    static var all: [JSONValue] {
        [
            crd(
                kind: "GatewayClass", plural: "gatewayclasses", short: ["gc"], namespaced: false, versions: ["v1", "v1beta1"],
                columns: [
                    ["name": "Controller", "type": "string", "jsonPath": ".spec.controllerName"],
                    ["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"],
                ]),
            crd(
                kind: "Gateway", plural: "gateways", short: ["gtw"], versions: ["v1", "v1beta1"],
                columns: [
                    ["name": "Class", "type": "string", "jsonPath": ".spec.gatewayClassName"],
                    ["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"],
                ]),
            crd(
                kind: "HTTPRoute", plural: "httproutes", short: [], versions: ["v1", "v1beta1"],
                columns: [
                    ["name": "Hostnames", "type": "string", "jsonPath": ".spec.hostnames"],
                    ["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"],
                ], spec: httpRouteSpec),
            crd(
                kind: "GRPCRoute", plural: "grpcroutes", short: [], versions: ["v1"],
                columns: [
                    ["name": "Hostnames", "type": "string", "jsonPath": ".spec.hostnames"],
                    ["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"],
                ]),
            crd(
                kind: "ReferenceGrant", plural: "referencegrants", short: ["refgrant"], versions: ["v1beta1"],
                columns: [
                    ["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"]
                ]),
        ]
    }

    static let backendRef: JSONValue = [
        "type": "object", "required": ["name"], "x-kubernetes-preserve-unknown-fields": true,
        "properties": [
            "group": ["type": "string", "default": ""], "kind": ["type": "string", "default": "Service"],
            "name": ["type": "string", "minLength": 1, "maxLength": 253],
            "namespace": ["type": "string", "minLength": 1, "maxLength": 63],
            "port": ["type": "integer", "minimum": 1, "maximum": 65535],
            "weight": ["type": "integer", "minimum": 0, "maximum": 1_000_000, "default": 1],
        ],
    ]

    static var httpRouteSpec: JSONValue {
        [
            "type": "object", "x-kubernetes-preserve-unknown-fields": true,
            "properties": [
                "hostnames": ["type": "array", "maxItems": 16, "items": ["type": "string", "minLength": 1, "maxLength": 253]],
                "parentRefs": [
                    "type": "array", "maxItems": 32,
                    "items": ["type": "object", "required": ["name"], "x-kubernetes-preserve-unknown-fields": true],
                ],
                "rules": [
                    "type": "array", "maxItems": 16,
                    "items": [
                        "type": "object", "x-kubernetes-preserve-unknown-fields": true,
                        "properties": ["backendRefs": ["type": "array", "maxItems": 16, "items": backendRef]],
                    ],
                ],
            ],
        ]
    }

    private static func crd(
        kind: String, plural: String, short: [String], namespaced: Bool = true, versions: [String], columns: JSONValue,
        spec: JSONValue = ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
    ) -> JSONValue {
        CRDManifest(
            group: group, kind: kind, plural: plural, shortNames: short, namespaced: namespaced, versions: versions, columns: columns,
            spec: spec, categories: ["gateway-api"],
            metadata: ["annotations": ["gateway.networking.k8s.io/bundle-version": "v1.5.0", "gateway.networking.k8s.io/channel": "standard"]]
        ).json
    }
}
