import KubeCore
import KubeRuntime
import Synchronization

/// The Canaries whose spec, at its current `metadata.generation`, passed validation: a reconcile of one
/// (every analysis step, every echo that reconciles) skips validating the same spec again.
///
/// Validation reads the spec only (and the operator's fixed ``CanaryAPI/ValidationContext``); the API server
/// raises `generation` on every spec change and never on a status write, so a spec with the generation
/// recorded here is the spec that was validated. A different UID (the Canary deleted and created again)
/// does not match. An invalid spec is never recorded: it is validated, and named, on every reconcile.
final class ValidSpecs: Sendable {
    /// A few words per Canary: the UID's hash and the generation.
    private let valid = Mutex<[ObjectKey: (uid: Int, generation: Int64)]>([:])

    /// Whether `object`'s spec, at its generation, was found valid.
    func contains(_ object: DynamicObject) -> Bool {
        guard let stamp = ValidSpecs.stamp(object) else { return false }
        return valid.withLock { $0[ObjectKey(object)] }.map { $0 == stamp } ?? false
    }

    /// Records that `object`'s spec passed validation.
    func record(_ object: DynamicObject) {
        guard let stamp = ValidSpecs.stamp(object) else { return }
        valid.withLock { $0[ObjectKey(object)] = stamp }
    }

    /// Forgets a Canary (invalid now, or gone).
    func forget(_ key: ObjectKey) { _ = valid.withLock { $0.removeValue(forKey: key) } }

    private static func stamp(_ object: DynamicObject) -> (uid: Int, generation: Int64)? {
        guard let uid = object.uid, let generation = object.json[path: "metadata", "generation"]?.int64Value else { return nil }
        return (uid.hashValue, generation)
    }
}
