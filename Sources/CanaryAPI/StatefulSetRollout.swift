import KubeCore

/// A StatefulSet's rolling update as Serin drives it (`targetRef.kind: StatefulSet`, Serin's): no copy and
/// no router. `spec.updateStrategy.rollingUpdate.partition` holds the pods below it on the current revision,
/// so a canary weight is a share of the pods, the highest ordinals, updated to the new revision; promotion is
/// partition 0. Read from the object; pure.
public struct StatefulSetRollout: Sendable, Equatable {
    /// The canary weight Serin last set (its partition follows from it); present once Serin holds the set.
    public static let weightAnnotation = "serin.dev/canary-weight"
    /// The revision Serin is promoting (partition 0), until the promotion ends.
    public static let promotingAnnotation = "serin.dev/promoting"
    /// The hash of `spec.volumeClaimTemplates` when Serin took the set over: a set made again with other
    /// claim templates is refused by name (Kubernetes applies them to no existing claim; Serin never resizes
    /// nor deletes one).
    public static let claimTemplatesAnnotation = "serin.dev/volume-claim-templates"
    /// The checksum of the ConfigMaps and Secrets the pods use (config tracking): on the pod template once a
    /// config changed (a new revision, released through the partition), on the set when Serin took it over.
    public static let configChecksumAnnotation = "serin.dev/config-checksum"
    /// The pod label naming a pod's revision, set by the StatefulSet controller.
    public static let revisionLabel = "controller-revision-hash"

    public var name: String
    public var namespace: String
    public var replicas: Int
    public var partition: Int
    /// `spec.updateStrategy.type`: `RollingUpdate` (the default) or `OnDelete`.
    public var strategy: String
    /// `spec.podManagementPolicy`: `OrderedReady` (the default) or `Parallel`.
    public var podManagementPolicy: String
    public var minReadySeconds: Int
    public var generation: Int64
    public var observedGeneration: Int64
    public var currentRevision: String?
    public var updateRevision: String?
    public var updatedReplicas: Int
    public var readyReplicas: Int
    public var availableReplicas: Int
    public var statusReplicas: Int
    /// ``weightAnnotation``, `nil` before Serin holds the set.
    public var weight: Int?
    /// ``promotingAnnotation``.
    public var promoting: String?
    /// The hash of the set's `spec.volumeClaimTemplates` now.
    public var claimTemplates: String
    /// ``claimTemplatesAnnotation``: their hash when Serin took the set over.
    public var recordedClaimTemplates: String?
    /// ``configChecksumAnnotation`` of the pod template, else of the set: the configs the pods were made with.
    public var recordedConfigs: String?

    public init(_ object: JSONValue) {
        let spec = object["spec"] ?? [:], status = object["status"] ?? [:]
        let annotations = object[path: "metadata", "annotations"]
        name = object[path: "metadata", "name"]?.stringValue ?? ""
        namespace = object[path: "metadata", "namespace"]?.stringValue ?? ""
        replicas = StatefulSetRollout.count(spec["replicas"]) ?? 1
        partition = StatefulSetRollout.count(spec[path: "updateStrategy", "rollingUpdate", "partition"]) ?? 0
        strategy = spec[path: "updateStrategy", "type"]?.stringValue ?? "RollingUpdate"
        podManagementPolicy = spec["podManagementPolicy"]?.stringValue ?? "OrderedReady"
        minReadySeconds = StatefulSetRollout.count(spec["minReadySeconds"]) ?? 0
        generation = object[path: "metadata", "generation"]?.int64Value ?? 0
        observedGeneration = status["observedGeneration"]?.int64Value ?? 0
        currentRevision = status["currentRevision"]?.stringValue
        updateRevision = status["updateRevision"]?.stringValue
        updatedReplicas = StatefulSetRollout.count(status["updatedReplicas"]) ?? 0
        readyReplicas = StatefulSetRollout.count(status["readyReplicas"]) ?? 0
        availableReplicas = StatefulSetRollout.count(status["availableReplicas"]) ?? readyReplicas
        statusReplicas = StatefulSetRollout.count(status["replicas"]) ?? 0
        weight = annotations?[StatefulSetRollout.weightAnnotation]?.stringValue.flatMap { Int($0) }.map { min(max($0, 0), 100) }
        promoting = annotations?[StatefulSetRollout.promotingAnnotation]?.stringValue
        claimTemplates = String((spec["volumeClaimTemplates"] ?? []).stableHash.prefix(16))
        recordedClaimTemplates = annotations?[StatefulSetRollout.claimTemplatesAnnotation]?.stringValue
        recordedConfigs =
            spec[path: "template", "metadata", "annotations", .init(StatefulSetRollout.configChecksumAnnotation)]?.stringValue
            ?? annotations?[StatefulSetRollout.configChecksumAnnotation]?.stringValue
    }

    /// A count from the object, within Kubernetes' int32 (a hostile value cannot overflow the arithmetic).
    static func count(_ value: JSONValue?) -> Int? { value?.intValue.map { min(max($0, 0), Int(Int32.max)) } }

    /// `name.namespace`, as Flagger names workloads in Events.
    public var dottedName: String { "\(name).\(namespace)" }

    /// How many pods a canary weight updates: the share of the replicas rounded up, at least one for any
    /// weight above zero (so 20% of 5 is 1 pod, 60% is 3).
    public static func updatedPods(weight: Int, replicas: Int) -> Int {
        guard weight > 0, replicas > 0 else { return 0 }
        let replicas = min(replicas, Int(Int32.max))
        return min(replicas, max(1, (replicas * min(weight, 100) + 99) / 100))
    }

    /// The partition that updates ``updatedPods(weight:replicas:)`` pods.
    public func partition(forWeight weight: Int) -> Int { replicas - StatefulSetRollout.updatedPods(weight: weight, replicas: replicas) }

    /// Whether the controller has seen the latest spec.
    public var observed: Bool { observedGeneration >= generation }

    /// Whether a revision is being rolled out (the pods do not all run the current revision's template).
    public var hasNewRevision: Bool { updateRevision != nil && updateRevision != currentRevision }

    /// Whether every pod exists and is available (ready for `minReadySeconds`).
    public var allAvailable: Bool { observed && statusReplicas == replicas && readyReplicas == replicas && availableReplicas == replicas }

    /// The pods the partition allows on the new revision.
    public var allowedUpdates: Int { hasNewRevision ? max(0, replicas - partition) : 0 }

    /// Pods on the new revision below the partition (left over from a higher weight): rolled back one by one.
    public var stalePods: Int { hasNewRevision ? max(0, updatedReplicas - allowedUpdates) : 0 }

    /// Whether the rollout the partition allows is done: as many pods updated as it allows, every pod available.
    public var partitionedRolloutDone: Bool { allAvailable && (!hasNewRevision || updatedReplicas >= allowedUpdates) }

    /// Whether the whole set runs its update revision, every pod available.
    public var fullyRolledOut: Bool { allAvailable && !hasNewRevision && updatedReplicas >= replicas }
}
