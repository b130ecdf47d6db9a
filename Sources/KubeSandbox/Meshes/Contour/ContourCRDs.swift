import KubeAPIServer
import KubeCore

/// Contour's HTTPProxy CRD (`projectcontour.io/v1`), as installing Contour creates it; its schema keeps what
/// it does not declare but checks route Services' names, ports and weights.
enum ContourCRDs {
    static var all: [JSONValue] {
        let service: JSONValue = [
            "type": "object", "required": ["name", "port"], "x-kubernetes-preserve-unknown-fields": true,
            "properties": [
                "name": ["type": "string", "minLength": 1], "port": ["type": "integer", "minimum": 1, "maximum": 65535],
                "weight": ["type": "integer", "format": "int64", "minimum": 0],
            ],
        ]
        let spec: JSONValue = [
            "type": "object", "x-kubernetes-preserve-unknown-fields": true,
            "properties": [
                "routes": [
                    "type": "array",
                    "items": [
                        "type": "object", "x-kubernetes-preserve-unknown-fields": true,
                        "properties": ["services": ["type": "array", "items": service]],
                    ],
                ]
            ],
        ]
        return [
            CRDManifest(
                group: "projectcontour.io", kind: "HTTPProxy", plural: "httpproxies", shortNames: ["proxy", "proxies"], versions: ["v1"],
                columns: [
                    ["name": "FQDN", "type": "string", "jsonPath": ".spec.virtualhost.fqdn"],
                    ["name": "Status", "type": "string", "jsonPath": ".status.currentStatus"],
                    ["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"],
                ],
                spec: spec
            ).json
        ]
    }
}
