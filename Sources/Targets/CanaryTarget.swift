import CanaryAPI
import CanaryCore
import Foundation
import KubeCore

/// The workload side of a Canary for one target kind: the target, its `-primary` copy, their readiness,
/// promotion and scaling. One conforming type per kind, registered in ``TargetRegistry``; the reconciler
/// calls only this protocol.
public protocol CanaryTarget: Sendable {
    /// The target object, from the cache; `nil` when it does not exist.
    func target(of canary: Canary) -> JSONValue?

    /// The primary object, from the cache; `nil` when it does not exist yet.
    func primary(of canary: Canary) -> JSONValue?

    /// The label key and value naming the target's pods (`app: podinfo`).
    func selectorLabel(of target: JSONValue) throws(TargetError) -> (key: String, value: String)

    /// Creates the primary from the target, owned by the Canary, unless it exists.
    func ensurePrimary(_ canary: Canary, target: JSONValue, owner: OwnerReference) async throws

    /// The target as the decision sees it.
    func state(target: JSONValue, canary: Canary, now: Date) -> WorkloadState

    /// The primary as the decision sees it (its hash is that of the target template it was promoted from).
    func state(primary: JSONValue, canary: Canary, now: Date) -> WorkloadState

    /// Copies the target's template (and rollout settings, and tracked configs) to the primary.
    func promote(_ canary: Canary, target: JSONValue, copyReplicas: Bool, owner: OwnerReference) async throws

    /// Sets the target's replicas.
    func scaleTarget(_ canary: Canary, replicas: Int) async throws

    /// The replicas to scale the target up to.
    func scaleUpReplicas(_ canary: Canary) -> Int

    /// Whether the Canary gets the apex, `-primary` and `-canary` Services (Flagger's Kubernetes router);
    /// `false` for a kind that routes itself (a Knative Service) or writes its own `-primary` and `-canary`
    /// Services (a Kubernetes Service).
    var needsServices: Bool { get }

    /// Gives the primary back the template it ran before its last promotion (`kubectl serin undo`): only
    /// called when its state says there is one (``CanaryCore/WorkloadState/previous``).
    func restorePrevious(_ canary: Canary, owner: OwnerReference) async throws
}

extension CanaryTarget {
    public var needsServices: Bool { true }

    public func restorePrevious(_ canary: Canary, owner: OwnerReference) async throws {
        throw TargetError("failed to undo \(canary.dottedName): its target kind keeps no previous version", terminal: false)
    }
}
