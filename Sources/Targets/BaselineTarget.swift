import CanaryAPI
import CanaryCore
import Foundation
import KubeCore

/// A target kind that can run a baseline (`analysis.baseline`): `<target>-baseline`, a copy of the primary's
/// pod template at the canary's size, owned by the Canary. Kinds without one (DaemonSet) are refused by
/// validation.
public protocol BaselineTarget: CanaryTarget {
    /// The baseline as the decision sees it; `nil` when none exists that the Canary controls.
    func baseline(of canary: Canary, now: Date) -> WorkloadState?

    /// Creates the baseline from the primary's template with `replicas`, owned by the Canary, or sets the
    /// replicas of the one it has (its template is the primary's at creation: never changed after).
    func applyBaseline(_ canary: Canary, replicas: Int, owner: OwnerReference) async throws

    /// Deletes the baseline if the Canary controls it.
    func deleteBaseline(_ canary: Canary) async throws
}
