import KubeAPIServer
import KubeCore

/// Gloo Edge's CRDs a Flagger user needs (`gloo.solo.io/v1` Upstream, `gateway.solo.io/v1` VirtualService and
/// RouteTable), as Gloo's Helm chart installs them; schemas keep what they do not declare.
enum GlooCRDs {
    static var all: [JSONValue] {
        [
            CRDManifest(group: "gloo.solo.io", kind: "Upstream", plural: "upstreams", shortNames: ["us"], versions: ["v1"]).json,
            CRDManifest(group: "gateway.solo.io", kind: "VirtualService", plural: "virtualservices", shortNames: ["vs"], versions: ["v1"]).json,
            CRDManifest(group: "gateway.solo.io", kind: "RouteTable", plural: "routetables", shortNames: ["rt"], versions: ["v1"]).json,
        ]
    }
}
