import KubeAPIServer
import KubeCore

/// The SMI TrafficSplit CRD as linkerd-smi installs it (`split.smi-spec.io`, `v1alpha1` stored, `v1alpha2`
/// served from the same storage with conversion `None`), and `v1alpha3` as SMI's own CRD serves it (with its
/// optional HTTPRouteGroup `matches`): every version Flagger writes, one storage, fields kept as they are
/// written. Backend weights are integers or strings (v1alpha1's quantities).
enum SMICRDs {
    static var all: [JSONValue] {
        let backend: JSONValue = [
            "type": "object", "required": ["service", "weight"], "x-kubernetes-preserve-unknown-fields": true,
            "properties": ["service": ["type": "string", "minLength": 1], "weight": ["x-kubernetes-int-or-string": true]],
        ]
        let spec: JSONValue = [
            "type": "object", "required": ["service", "backends"], "x-kubernetes-preserve-unknown-fields": true,
            "properties": [
                "service": ["type": "string", "minLength": 1], "backends": ["type": "array", "items": backend],
                "matches": [
                    "type": "array",
                    "items": [
                        "type": "object", "required": ["kind", "name"],
                        "properties": ["kind": ["type": "string", "enum": ["HTTPRouteGroup"]], "name": ["type": "string"]],
                    ],
                ],
            ],
        ]
        return [
            CRDManifest(
                group: "split.smi-spec.io", kind: "TrafficSplit", plural: "trafficsplits", shortNames: ["ts"],
                versions: ["v1alpha1", "v1alpha2", "v1alpha3"],
                columns: [
                    ["name": "Service", "type": "string", "jsonPath": ".spec.service"],
                    ["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"],
                ],
                spec: spec, metadata: ["labels": ["linkerd.io/extension": "smi"]]
            ).json
        ]
    }
}
