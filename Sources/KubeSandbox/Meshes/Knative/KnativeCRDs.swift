import KubeAPIServer
import KubeCore

/// Knative Serving's CRDs as its `serving-crds.yaml` names them (`serving.knative.dev/v1`, namespaced, status
/// subresource, categories `all`, `knative`, `serving`): Service (`ksvc`, `ksvcs`), Revision (`rev`),
/// Configuration (`config`, `cfg`) and Route (`rt`), with Knative's printer columns. Schemas keep what they do
/// not declare (Knative's own webhook validates them).
enum KnativeCRDs {
    static let group = "serving.knative.dev"

    static var all: [JSONValue] {
        let ready: [JSONValue] = [
            ["name": "Ready", "type": "string", "jsonPath": ".status.conditions[?(@.type=='Ready')].status"],
            ["name": "Reason", "type": "string", "jsonPath": ".status.conditions[?(@.type=='Ready')].reason"],
        ]
        let url: JSONValue = ["name": "URL", "type": "string", "jsonPath": ".status.url"]
        let created: JSONValue = ["name": "LatestCreated", "type": "string", "jsonPath": ".status.latestCreatedRevisionName"]
        let latestReady: JSONValue = ["name": "LatestReady", "type": "string", "jsonPath": ".status.latestReadyRevisionName"]
        let definitions: [(String, String, [String], [JSONValue])] = [
            ("Service", "services", ["kservice", "ksvc"], [url, created, latestReady] + ready),
            (
                "Revision", "revisions", ["rev"],
                [["name": "Config Name", "type": "string", "jsonPath": ".metadata.labels['serving\\.knative\\.dev/configuration']"]] + ready
            ),
            ("Configuration", "configurations", ["config", "cfg"], [created, latestReady] + ready),
            ("Route", "routes", ["rt"], [url] + ready),
        ]
        return definitions.map { kind, plural, shortNames, columns in
            CRDManifest(
                group: group, kind: kind, plural: plural, shortNames: shortNames, versions: ["v1"], columns: .array(columns),
                categories: ["all", "knative", "serving"], metadata: ["labels": ["knative.dev/crd-install": "true"]]
            ).json
        }
    }
}
