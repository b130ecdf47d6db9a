import KubeCore

/// Serin's `serin.dev/v1alpha1` RolloutPolicy (cluster-scoped): a budget of rollouts shared by the Canaries it
/// selects — at most `maxProgressing` of them analysing at once (and at most `maxProgressingPerNamespace` in one
/// namespace); a Canary with a new revision that finds no slot waits, first come first served.
///
/// The slots live in the policy's status, changed only by compare-and-swap writes (the API server's
/// `resourceVersion`): every replica and shard sees and changes the same budget, never one in memory.
public struct RolloutPolicy: KubeObject, Equatable {
    public static let resource = KubeResource(
        group: "serin.dev", version: "v1alpha1", kind: "RolloutPolicy", plural: "rolloutpolicies", namespaced: false)
    /// The CRD that serves it.
    public static let crd = "rolloutpolicies.serin.dev"

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status?

    public struct Spec: Codable, Sendable, Equatable {
        /// Which Canaries it governs.
        public var selector: CanarySelector?
        /// The most Canaries analysing at once among those selected (no budget when unset: a policy of freeze
        /// windows only).
        public var maxProgressing: Int?
        /// The most in one namespace; unset: no limit but `maxProgressing`.
        public var maxProgressingPerNamespace: Int?
        /// When no new rollout starts (``FreezeWindow``).
        public var freezeWindows: [FreezeWindow]?
        /// What an open window does to the rollouts under way: `finish` (default), `pause` or `rollback`.
        public var inFlight: String?
        /// Pause every selected Canary after this many rollbacks among them within a time (``StopTheLine``).
        public var stopTheLine: StopTheLine?

        public init(selector: CanarySelector? = nil, maxProgressing: Int? = nil, maxProgressingPerNamespace: Int? = nil) {
            self.selector = selector
            self.maxProgressing = maxProgressing
            self.maxProgressingPerNamespace = maxProgressingPerNamespace
        }
    }

    /// Canaries by namespace and by label; an empty selector selects every Canary.
    public struct CanarySelector: Codable, Sendable, Equatable {
        /// The namespaces (all when unset or empty).
        public var namespaces: [String]?
        /// A label selector on the Canaries' labels.
        public var matchLabels: [String: String]?
        public var matchExpressions: [LabelSelectorRequirement]?

        public init(namespaces: [String]? = nil, matchLabels: [String: String]? = nil) {
            self.namespaces = namespaces
            self.matchLabels = matchLabels
        }
    }

    /// `stopTheLine`: after `rollbacks` rollbacks among the selected Canaries within `within`, every one of them
    /// pauses (no new rollout, no step) until `kubectl serin policy resume`.
    public struct StopTheLine: Codable, Sendable, Equatable {
        public var rollbacks: Int
        public var within: String

        public init(rollbacks: Int, within: String) {
            self.rollbacks = rollbacks
            self.within = within
        }
    }

    /// Who holds the slots and who waits for one.
    public struct Status: Codable, Sendable, Equatable {
        /// The Canaries analysing under this policy.
        public var holders: [SlotHolder]?
        /// The Canaries waiting for a slot, in arrival order (`namespace/name`).
        public var queue: [String]?
        /// The recent rollbacks among the selected Canaries (`stopTheLine`), each with when it happened.
        public var rollbacks: [SlotHolder]?
        /// Why the line is stopped, and since when; unset while it runs.
        public var stopped: Stop?

        public init(holders: [SlotHolder]? = nil, queue: [String]? = nil) {
            self.holders = holders
            self.queue = queue
        }
    }

    /// A stopped line.
    public struct Stop: Codable, Sendable, Equatable {
        public var at: String
        public var reason: String

        public init(at: String, reason: String) {
            self.at = at
            self.reason = reason
        }
    }

    /// One slot in use.
    public struct SlotHolder: Codable, Sendable, Equatable {
        /// `namespace/name` of the Canary.
        public var canary: String
        /// When it took the slot (RFC 3339).
        public var since: String

        public init(canary: String, since: String) {
            self.canary = canary
            self.since = since
        }
    }

    public init(name: String, spec: Spec) {
        metadata = ObjectMeta(name: name)
        self.spec = spec
        apiVersion = RolloutPolicy.resource.apiVersion
        kind = RolloutPolicy.resource.kind
    }

    /// The budget: `maxProgressing`, unlimited when unset.
    public var budget: Int { max(spec.maxProgressing ?? Int.max, 0) }

    /// Whether it governs a Canary in `namespace` with `labels`.
    public func selects(namespace: String, labels: [String: String]) -> Bool {
        if let namespaces = spec.selector?.namespaces, !namespaces.isEmpty, !namespaces.contains(namespace) { return false }
        let selector = LabelSelector(matchLabels: spec.selector?.matchLabels, matchExpressions: spec.selector?.matchExpressions)
        return selector.matches(labels)
    }
}
