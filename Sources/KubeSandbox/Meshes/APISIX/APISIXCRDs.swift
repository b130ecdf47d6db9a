import KubeAPIServer
import KubeCore

/// APISIX's ApisixRoute CRD (`apisix.apache.org/v2`), as the APISIX ingress controller's chart installs it;
/// its schema keeps what it does not declare.
enum APISIXCRDs {
    static var all: [JSONValue] {
        [
            CRDManifest(
                group: "apisix.apache.org", kind: "ApisixRoute", plural: "apisixroutes", shortNames: ["ar"], versions: ["v2"],
                columns: [
                    ["name": "Hosts", "type": "string", "jsonPath": ".spec.http[].match.hosts"],
                    ["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"],
                ]
            ).json
        ]
    }
}
