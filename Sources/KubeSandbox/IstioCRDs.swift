import KubeCore

/// Istio's networking CRDs, as installing Istio would create them (schemas keep unknown fields, as Istio's do).
enum IstioCRDs {
    static var all: [JSONValue] {
        [
            crd(kind: "VirtualService", plural: "virtualservices", short: ["vs"], columns: [
                ["name": "Gateways", "type": "string", "jsonPath": ".spec.gateways", "description": "The names of gateways and sidecars that should apply these routes"],
                ["name": "Hosts", "type": "string", "jsonPath": ".spec.hosts", "description": "The destination hosts to which traffic is being sent"],
                ["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"],
            ]),
            crd(kind: "DestinationRule", plural: "destinationrules", short: ["dr"], columns: [
                ["name": "Host", "type": "string", "jsonPath": ".spec.host", "description": "The name of a service from the service registry"],
                ["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"],
            ]),
            crd(kind: "Gateway", plural: "gateways", short: ["gw"], columns: [
                ["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"],
            ]),
        ]
    }

    private static func crd(kind: String, plural: String, short: [String], columns: JSONValue) -> JSONValue {
        let schema: JSONValue = [
            "openAPIV3Schema": [
                "type": "object", "x-kubernetes-preserve-unknown-fields": true,
                "properties": ["spec": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                               "status": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]],
            ],
        ]
        let versions: [JSONValue] = ["v1", "v1beta1", "v1alpha3"].map { version in
            ["name": .string(version), "served": true, "storage": .bool(version == "v1"), "schema": schema,
             "subresources": ["status": [:]], "additionalPrinterColumns": columns]
        }
        return [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": ["name": .string("\(plural).networking.istio.io"), "labels": ["app": "istio-pilot", "chart": "istio"]],
            "spec": [
                "group": "networking.istio.io", "scope": "Namespaced", "versions": .array(versions),
                "names": ["kind": .string(kind), "listKind": .string("\(kind)List"), "plural": .string(plural),
                          "singular": .string(kind.lowercased()), "shortNames": .array(short.map(JSONValue.string)),
                          "categories": ["istio-io", "networking-istio-io"]],
            ],
        ]
    }
}
