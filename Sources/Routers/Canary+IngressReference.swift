import CanaryAPI
import KubeCore

extension Canary {
    /// What the Ingress routers (`nginx`, `skipper`) check alike: `ingressRef` names an Ingress, and the mesh
    /// fields an Ingress does not carry are refused naming `provider`. Returns whether `ingressRef` is set.
    @discardableResult
    func validateIngressReference(provider: String, into issues: inout ValidationIssues) -> Bool {
        guard let reference = spec.ingressRef else {
            issues.add("spec.ingressRef", "required by the \(provider) provider")
            return false
        }
        if (reference.name ?? "").isEmpty { issues.add("spec.ingressRef.name", "required") }
        if let kind = reference.kind, kind != "Ingress" { issues.add("spec.ingressRef.kind", "\"\(kind)\" is not Ingress") }
        // Flagger reads the Ingress as networking.k8s.io/v1 whatever the reference says (its tutorials still
        // write extensions/v1beta1); the older names of the same kind are taken the same way.
        if let version = reference.apiVersion, !["networking.k8s.io/v1", "networking.k8s.io/v1beta1", "extensions/v1beta1"].contains(version) {
            issues.add("spec.ingressRef.apiVersion", "\"\(version)\" is not networking.k8s.io/v1")
        }
        let service = spec.service ?? CanaryService()
        for (field, set) in meshRouteFields() + [("spec.service.hosts", !(service.hosts ?? []).isEmpty)] where set {
            issues.add(field, "not supported by the \(provider) router (the Ingress holds the routing)")
        }
        if service.appProtocol?.lowercased() == "tcp" { issues.add("spec.service.appProtocol", "an Ingress routes HTTP only") }
        return true
    }
}
