import KubeAPIServer
import KubeCore

/// Istio's networking CRDs, as installing Istio would create them (schemas keep unknown fields, as Istio's do).
enum IstioCRDs {
    static var all: [JSONValue] {
        [
            crd(
                kind: "VirtualService", plural: "virtualservices", short: ["vs"],
                columns: [
                    [
                        "name": "Gateways", "type": "string", "jsonPath": ".spec.gateways",
                        "description": "The names of gateways and sidecars that should apply these routes",
                    ],
                    [
                        "name": "Hosts", "type": "string", "jsonPath": ".spec.hosts",
                        "description": "The destination hosts to which traffic is being sent",
                    ],
                    ["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"],
                ]),
            crd(
                kind: "DestinationRule", plural: "destinationrules", short: ["dr"],
                columns: [
                    ["name": "Host", "type": "string", "jsonPath": ".spec.host", "description": "The name of a service from the service registry"],
                    ["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"],
                ]),
            crd(
                kind: "Gateway", plural: "gateways", short: ["gw"],
                columns: [
                    ["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"]
                ]),
        ]
    }

    private static func crd(kind: String, plural: String, short: [String], columns: JSONValue) -> JSONValue {
        CRDManifest(
            group: "networking.istio.io", kind: kind, plural: plural, shortNames: short, versions: ["v1", "v1beta1", "v1alpha3"],
            columns: columns, rootKeepsUnknownFields: true, categories: ["istio-io", "networking-istio-io"],
            metadata: ["labels": ["app": "istio-pilot", "chart": "istio"]]
        ).json
    }
}
