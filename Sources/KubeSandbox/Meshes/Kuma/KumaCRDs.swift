import KubeAPIServer
import KubeCore

/// Kuma's TrafficRoute CRD as Kuma's Helm chart installs it (`kuma.io/v1alpha1`, cluster-scoped, category
/// `kuma`): the mesh at the top level (`mesh`), the policy in a `spec` that keeps whatever it holds; and Kuma
/// 2.x's MeshHTTPRoute (namespaced, the mesh in the `kuma.io/mesh` label).
enum KumaCRDs {
    static var all: [JSONValue] {
        var crd = CRDManifest(
            group: "kuma.io", kind: "TrafficRoute", plural: "trafficroutes", namespaced: false, versions: ["v1alpha1"], categories: ["kuma"]
        ).json
        let versions = (crd[path: "spec", "versions"]?.arrayValue ?? []).map { version -> JSONValue in
            var version = version
            version[path: "schema", "openAPIV3Schema", "properties", "mesh"] = ["type": "string"]
            return version
        }
        crd[path: "spec", "versions"] = .array(versions)
        let meshHTTPRoute = CRDManifest(
            group: "kuma.io", kind: "MeshHTTPRoute", plural: "meshhttproutes", namespaced: true, versions: ["v1alpha1"], categories: ["kuma"]
        ).json
        return [crd, meshHTTPRoute]
    }
}
