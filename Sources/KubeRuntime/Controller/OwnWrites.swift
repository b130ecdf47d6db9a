import KubeClient
import KubeCore
import Synchronization

/// The objects a controller's reconciles wrote, each with the key whose reconcile wrote it, so that the
/// watch event of a reconcile's own write (its echo) is told from a change somebody else made.
///
/// A ``Controller`` with ``ControllerConfig/ownWrites`` hands an echo to its queue as such
/// (``WorkQueue/addEcho(_:)``): when the reconcile that wrote it already said when to look again, the echo
/// does not reconcile the key once more. A step that writes a Canary's status, its routing and its workload
/// would otherwise be followed by up to three reconciles that find nothing to do.
///
/// Install it on the client the reconciles write with: ``KubeClient/observeWrites(_:)``.
///
/// ## Guarantees
/// - Only writes made inside a reconcile (``ReconcileScope/key`` bound) are recorded, under that key.
/// - An event is an echo only when its object's `resourceVersion` is one a write of ours got: any other
///   change, by anybody, has another and reconciles as usual. Every write is remembered, not only an
///   object's latest: under load a watch lags, and the echo of a reconcile's write can arrive after the
///   next reconcile wrote the object again. (Remembering only the latest made that late echo look like a
///   change, whose reconcile wrote again, whose echo came late too: a loop for as long as the lag lasted.)
/// - Bounded: an entry is dropped after one to two ``retention`` windows (an echo arrives in milliseconds).
///
/// ## Caveats
/// An event that misses its echo window (a watch broken for longer than ``retention``) reconciles as a
/// change: the safe direction.
public final class OwnWrites: WriteObserver {
    /// How long a write is remembered: at least this long, at most twice.
    public let retention: Duration
    private let state: Mutex<State>

    /// Two generations of entries, each by the hash of the written object's identity and version
    /// (``Fingerprint``) and holding the writer's: every `retention` the older is dropped, so memory is
    /// bounded by the writes of the last two windows, with no sweep over the entries and no timer.
    struct State {
        var current: [Fingerprint: Int] = [:]
        var previous: [Fingerprint: Int] = [:]
        var rotatedAt: ContinuousClock.Instant

        mutating func rotate(now: ContinuousClock.Instant, every retention: Duration) {
            guard now - rotatedAt >= retention else { return }
            previous = now - rotatedAt >= retention * 2 ? [:] : current
            current = [:]
            rotatedAt = now
        }
    }

    public init(retention: Duration = .seconds(10)) {
        self.retention = retention
        state = Mutex(State(rotatedAt: .now))
    }

    /// An object by group, plural, namespace and name: a write through another version of the resource is
    /// the same object.
    static func identity(_ resource: KubeResource, namespace: String?, name: String) -> Int {
        var hasher = Hasher()
        hasher.combine(resource.group)
        hasher.combine(resource.plural)
        hasher.combine(namespace)
        hasher.combine(name)
        return hasher.finalize()
    }

    public func didWrite(_ write: ObjectWrite) {
        guard let writer = ReconcileScope.key else { return }
        // Kept hashed: a few words per write instead of its strings (10,000 Canaries write about 100,000
        // objects while they initialise). A false match needs two 64-bit hashes to collide.
        let written = Fingerprint(
            identity: OwnWrites.identity(write.resource, namespace: write.namespace, name: write.name),
            version: write.resourceVersion.hashValue)
        let now = ContinuousClock.now
        state.withLock { state in
            state.rotate(now: now, every: retention)
            state.current[written] = writer.hashValue
        }
    }

    /// An object as it is now, hashed: what a trigger keeps (a few words, not the object) until it is decided.
    public struct Fingerprint: Sendable, Hashable {
        var identity: Int
        var version: Int
    }

    /// The fingerprint of `object` as it is now; `nil` without a name or `resourceVersion`.
    public func fingerprint(of object: some KubeObject, in resource: KubeResource) -> Fingerprint? {
        guard let name = object.name, let version = object.resourceVersion else { return nil }
        return Fingerprint(identity: OwnWrites.identity(resource, namespace: object.namespace, name: name), version: version.hashValue)
    }

    /// Whether `object`, as it is now, is what the reconcile of `key` wrote.
    public func isWrite(of object: some KubeObject, in resource: KubeResource, by key: ObjectKey) -> Bool {
        fingerprint(of: object, in: resource).map { isWrite($0, by: key) } ?? false
    }

    /// Whether the object of `fingerprint`, in that version, is what the reconcile of `key` wrote.
    public func isWrite(_ fingerprint: Fingerprint, by key: ObjectKey) -> Bool {
        let now = ContinuousClock.now
        let writer = state.withLock { state in
            state.rotate(now: now, every: retention)
            return state.current[fingerprint] ?? state.previous[fingerprint]
        }
        return writer == key.hashValue
    }

    /// How many writes are remembered now.
    public var count: Int { state.withLock { $0.current.count + $0.previous.count } }
}
