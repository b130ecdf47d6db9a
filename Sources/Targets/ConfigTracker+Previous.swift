import CanaryAPI
import KubeClient
import KubeCore
import KubeRuntime

extension ConfigTracker {
    /// The name of the copy keeping a `-primary` copy's data from before a promotion: `<copy>-previous`.
    public static func previousName(of copy: String) -> String { "\(copy)-previous" }

    /// The `-primary` copies `podSpec` uses, those the Canary controls (not the configs the primary shares with
    /// the target: opted out, or of untracked types), with their live objects.
    func primaryCopies(_ canary: Canary, podSpec: JSONValue) -> [(reference: ConfigReference, copy: JSONValue)] {
        PodConfigReferences.references(in: podSpec).compactMap { reference in
            let cache = reference.kind == .configMap ? configMaps : secrets
            guard reference.name.hasSuffix("-primary"), let copy = cache.get(namespace: canary.namespace, name: reference.name)?.json,
                OwnedObjectApplier.isControlled(copy, by: canary.metadata.uid ?? "")
            else { return nil }
            return (reference, copy)
        }
    }

    /// Before a promotion changes the `-primary` copies the primary's `podSpec` uses: each one's data kept in
    /// `<copy>-previous` (same kind, owned by the Canary: a Secret's data stays in a Secret), so that
    /// `kubectl serin undo` can give it back.
    func keepPrevious(_ canary: Canary, podSpec: JSONValue, owner: OwnerReference) async throws {
        for (reference, copy) in primaryCopies(canary, podSpec: podSpec) {
            let applier = reference.kind == .configMap ? configMapApplier : secretApplier
            try await applier.apply(namespace: canary.namespace, name: ConfigTracker.previousName(of: reference.name), owner: owner, adopting: false)
            {
                live in ConfigTracker.desiredCopy(copy, kind: reference.kind, live: live, labels: LabelCopier(prefixes: ["*"]))
            }
        }
    }

    /// The copies `podSpec` uses whose earlier data is not kept (no `<copy>-previous`), as `kind/name`.
    func missingPrevious(_ canary: Canary, podSpec: JSONValue) -> [String] {
        primaryCopies(canary, podSpec: podSpec).map(\.reference).filter { reference in
            let cache = reference.kind == .configMap ? configMaps : secrets
            return cache.get(namespace: canary.namespace, name: ConfigTracker.previousName(of: reference.name)) == nil
        }.map(\.key)
    }

    /// Gives the `-primary` copies `podSpec` uses their kept earlier data back (`kubectl serin undo`).
    func restorePrevious(_ canary: Canary, podSpec: JSONValue, owner: OwnerReference) async throws {
        for (reference, _) in primaryCopies(canary, podSpec: podSpec) {
            let cache = reference.kind == .configMap ? configMaps : secrets
            guard let kept = cache.get(namespace: canary.namespace, name: ConfigTracker.previousName(of: reference.name))?.json else { continue }
            let applier = reference.kind == .configMap ? configMapApplier : secretApplier
            try await applier.apply(namespace: canary.namespace, name: reference.name, owner: owner, adopting: false) { live in
                var copy = ConfigTracker.desiredCopy(kept, kind: reference.kind, live: live, labels: LabelCopier(prefixes: ["*"]))
                copy[path: "metadata", "labels"] = live?[path: "metadata", "labels"] ?? copy[path: "metadata", "labels"]
                return copy
            }
        }
    }
}
