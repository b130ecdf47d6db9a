import CanaryAPI
import CanaryCore
import Foundation
import KubeCore

/// A target kind that can keep its previous version running during a bake (`analysis.bake.keepPrevious`):
/// `<target>-previous`, the template the primary ran before its last promotion at the primary's size, owned
/// by the Canary. Kinds without one are refused by validation (a bake needs a Deployment target).
public protocol PreviousTarget: CanaryTarget {
    /// The previous version as the decision sees it; `nil` when none exists that the Canary controls.
    func previousWorkload(of canary: Canary, now: Date) -> WorkloadState?

    /// Creates the previous version from the primary's record of its earlier template with `replicas`, owned by
    /// the Canary, or sets the replicas of the one it has.
    func applyPrevious(_ canary: Canary, replicas: Int, owner: OwnerReference) async throws

    /// Deletes the previous version if the Canary controls it.
    func deletePrevious(_ canary: Canary) async throws
}
