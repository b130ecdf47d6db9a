import KubeCore

/// KEDA's ScaledObject CRD, as installing KEDA would create it (the schema keeps unknown fields), so
/// Canaries with a KEDA autoscaler can be tried. The sandbox runs no KEDA operator: nothing scales.
enum KedaCRDs {
    static var all: [JSONValue] {
        let schema: JSONValue = ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]]
        let columns: JSONValue = [
            ["name": "ScaleTargetName", "type": "string", "jsonPath": ".spec.scaleTargetRef.name"],
            ["name": "Min", "type": "integer", "jsonPath": ".spec.minReplicaCount"],
            ["name": "Max", "type": "integer", "jsonPath": ".spec.maxReplicaCount"],
            ["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"],
        ]
        return [
            [
                "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": ["name": "scaledobjects.keda.sh", "labels": ["app.kubernetes.io/part-of": "keda-operator"]],
                "spec": [
                    "group": "keda.sh", "scope": "Namespaced",
                    "versions": [
                        [
                            "name": "v1alpha1", "served": true, "storage": true, "schema": schema, "subresources": ["status": [:]],
                            "additionalPrinterColumns": columns,
                        ]
                    ],
                    "names": [
                        "kind": "ScaledObject", "listKind": "ScaledObjectList", "plural": "scaledobjects", "singular": "scaledobject",
                        "shortNames": ["so"],
                    ],
                ],
            ]
        ]
    }
}
