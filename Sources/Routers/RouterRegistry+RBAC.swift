import CanaryAPI
import KubeCore
import KubeRuntime

extension RouterRegistry {
    /// What every operator's routing needs: the Services (`<svc>`, `-primary`, `-canary`) that
    /// ``KubernetesServiceRouter`` watches, creates and corrects.
    public static let serviceRules = [PolicyRule.rule(for: WatchedResource(.services, owned: true))]

    /// The RBAC rules of the routing of an operator with `meshProvider` as its provider: the Services and the
    /// rules of the routers it enables (``enabled(meshProvider:)``).
    public static func rules(meshProvider: MeshProvider) -> [PolicyRule] {
        serviceRules + enabled(meshProvider: meshProvider).flatMap(\.rules)
    }
}
