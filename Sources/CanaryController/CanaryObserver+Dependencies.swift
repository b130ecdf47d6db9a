import CanaryAPI
import CanaryCore
import Foundation
import KubeCore
import KubeRuntime
import Targets

/// Ordered releases (`spec.dependsOn`) from the Canary cache: the Canaries a Canary depends on, how each stands,
/// and the cycles refused by name.
extension CanaryObserver {
    /// The keys (`namespace/name`) of the Canaries `dependencies` name or select, for a Canary `self` in
    /// `namespace`; itself excepted, each once.
    func dependencyKeys(_ dependencies: [CanaryDependency], namespace: String, self key: String) -> [String] {
        var keys: [String] = []
        for dependency in dependencies {
            let scope = dependency.scope(in: namespace)
            if let name = dependency.name {
                keys.append("\(scope)/\(name)")
            } else if let selector = dependency.selector {
                keys += canaries.list(namespace: scope).filter { selector.matches($0.metadata.labels ?? [:]) }.map { "\(scope)/\($0.name ?? "")" }
            }
        }
        var seen: Set<String> = [key]
        return keys.filter { seen.insert($0).inserted }
    }

    /// Refuses a Canary whose dependencies lead back to it, naming the cycle.
    func checkDependencyCycle(_ canary: Canary) throws(InvalidCanary) {
        guard let dependencies = canary.spec.dependsOn, !dependencies.isEmpty else { return }
        let start = "\(canary.namespace)/\(canary.metadata.name ?? "")"
        let cycle = CanaryDependencies.cycle(from: start) { key in
            if key == start { return dependencyKeys(dependencies, namespace: canary.namespace, self: start) }
            guard let object = ObjectKey(namespaced: key).flatMap({ canaries.get($0) }), let theirs = object.json[path: "spec", "dependsOn"]
            else { return [] }
            do {
                return dependencyKeys(try theirs.decode(as: [CanaryDependency].self), namespace: object.namespace ?? "", self: key)
            } catch {
                return []  // a Canary whose dependsOn cannot be read is refused on its own; it leads nowhere here
            }
        }
        guard let cycle else { return }
        throw InvalidCanary(reason: "InvalidSpec", message: "spec.dependsOn: a dependency cycle: \(cycle.joined(separator: " → "))")
    }

    /// What a new revision of the Canary, shipping `target`, still waits for.
    func unmetDependencies(of canary: Canary, target: JSONValue, now: Date) -> [String] {
        guard let dependencies = canary.spec.dependsOn, !dependencies.isEmpty else { return [] }
        let key = "\(canary.namespace)/\(canary.metadata.name ?? "")"
        let states = dependencyKeys(dependencies, namespace: canary.namespace, self: key).map { dependencyState($0, now: now) }
        return CanaryDependencies.unmet(states, release: ReleaseTag.of(workload: target))
    }

    /// How the Canary `key` stands as a dependency: its phase, the release its primary runs, and whether its
    /// target has a revision it has not promoted.
    func dependencyState(_ key: String, now: Date) -> DependencyState {
        guard let object = ObjectKey(namespaced: key).flatMap({ canaries.get($0) }) else {
            return DependencyState(key: key, standing: .missing)
        }
        let canary: Canary
        do { canary = try object.json.decode(as: Canary.self) } catch {
            return DependencyState(key: key, standing: .unreadable("\(error)"))
        }
        guard let kind = canary.targetKind, let workload = targets[kind] else {
            return DependencyState(key: key, standing: .unreadable("its target kind is not enabled on this operator"))
        }
        guard let target = workload.target(of: canary) else {
            return DependencyState(key: key, standing: .unreadable("its target \(canary.targetName) is not found"))
        }
        let primary = workload.primary(of: canary)
        let revision = workload.state(target: target, canary: canary, now: now).templateHash
        let promoted = [canary.status?.lastPromotedSpec, primary.map { workload.state(primary: $0, canary: canary, now: now).templateHash }]
        return DependencyState(
            key: key, phase: canary.status?.phase, promotedRelease: primary.flatMap { ReleaseTag.of(workload: $0) },
            pending: !promoted.contains(revision))
    }
}
