import CanaryAPI
import KubeClient
import KubeCore
import KubeRuntime

/// How to build one kind's target, and what it must have watched.
public struct TargetRegistration: Sendable {
    public var kind: TargetKind
    /// The target kind's resource: watched, its changes reconcile the Canaries targeting them, and the
    /// primaries of it are owned by their Canary.
    public var resource: WatchedResource
    public var make: @Sendable (KubeClient, ObjectCaches, TargetOptions) -> any CanaryTarget
    /// The RBAC rules the target's requests need: by default its cache's, and create and patch when it
    /// owns primaries (``PolicyRule/rule(for:)``).
    public var rules: [PolicyRule]
    /// The provider whose router this kind needs (its resource is a CRD that provider installs): the kind is
    /// enabled only on an operator running that router; `nil`: on every operator.
    public var provider: MeshProvider?
    /// Whether the kind's revision is read from the status its controller writes (a StatefulSet's
    /// `updateRevision`): then a status change alone reconciles the Canaries targeting it at once.
    public var revisionInStatus = false
    /// What the operator's cache of the kind may leave out of each object (after managed fields), because no
    /// reader of the kind reads it; `nil`: nothing more.
    public var cacheTransform: (@Sendable (DynamicObject) -> DynamicObject)?

    public init(
        kind: TargetKind, resource: WatchedResource, rules: [PolicyRule]? = nil, provider: MeshProvider? = nil,
        make: @escaping @Sendable (KubeClient, ObjectCaches, TargetOptions) -> any CanaryTarget
    ) {
        self.kind = kind
        self.resource = resource
        self.rules = rules ?? [PolicyRule.rule(for: resource)]
        self.provider = provider
        self.make = make
    }
}

/// How the operator builds targets (its flags).
public struct TargetOptions: Sendable {
    /// Flagger's `-selector-labels`: the first present in the target's selector names the pods.
    public var selectorLabels = ["app", "name", "app.kubernetes.io/name"]
    /// `--enable-config-tracking` (default): ConfigMaps and Secrets are part of the revision. The operator
    /// then watches them (``ConfigTracker/resources``).
    public var configTracking = true
    /// `--include-label-prefix`.
    public var labels = LabelCopier()

    public init() {}
}

extension ConfigTracker {
    /// What config tracking watches; the `-primary` copies are owned by their Canary.
    public static let resources = [WatchedResource(.configMaps, owned: true), WatchedResource(.secrets, owned: true)]
}

/// The target kinds Serin ships. Adding one is a file with a ``CanaryTarget`` and its registration here.
public enum TargetRegistry {
    public static let registrations: [TargetRegistration] = [
        DeploymentTarget.registration, DaemonSetTarget.registration, ServiceTarget.registration,
        KnativeServiceTarget.registration, StatefulSetTarget.registration,
    ]

    /// The kinds an operator with `meshProvider` as its default runs: those every operator runs, and those
    /// needing that provider's router.
    public static func enabled(meshProvider: MeshProvider) -> [TargetRegistration] {
        registrations.filter { $0.provider == nil || $0.provider == meshProvider }
    }

    public static func registration(for kind: TargetKind) -> TargetRegistration? { registrations.first { $0.kind == kind } }

    /// The kinds Serin ships.
    public static var implemented: Set<TargetKind> { Set(registrations.map(\.kind)) }
}
