import KubeAPIServer
import KubeCore

/// Traefik's CRDs a Flagger user needs (`traefik.io/v1alpha1` IngressRoute, TraefikService, Middleware), as
/// Traefik's Helm chart installs them; schemas keep what they do not declare.
enum TraefikCRDs {
    static var all: [JSONValue] {
        [("IngressRoute", "ingressroutes"), ("TraefikService", "traefikservices"), ("Middleware", "middlewares")].map { kind, plural in
            CRDManifest(group: "traefik.io", kind: kind, plural: plural, versions: ["v1alpha1"]).json
        }
    }
}
