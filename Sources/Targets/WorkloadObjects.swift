import CanaryAPI
import KubeClient
import KubeCore
import KubeRuntime

/// What a workload target reads and writes: its kind's objects (client, cache, owned-object applier), the
/// operator's selector labels and label prefixes, and config tracking (`nil` when disabled).
struct WorkloadObjects: Sendable {
    let client: ResourceClient<JSONValue>
    let cache: ObjectCache<DynamicObject>
    let applier: OwnedObjectApplier
    /// Flagger's `-selector-labels`: the first present in the target's selector names the pods.
    let selectorLabels: [String]
    /// `--include-label-prefix`.
    let labels: LabelCopier
    let configs: ConfigTracker?

    init(_ resource: KubeResource, client: KubeClient, cache: ObjectCache<DynamicObject>, options: TargetOptions, configs: ConfigTracker?) {
        self.client = client.resource(resource, as: JSONValue.self)
        self.cache = cache
        self.applier = OwnedObjectApplier(client: self.client, cache: cache)
        self.selectorLabels = options.selectorLabels
        self.labels = options.labels
        self.configs = configs
    }

    /// The config tracker the operator's options ask for, over its ConfigMap and Secret caches.
    static func configTracker(_ client: KubeClient, _ caches: ObjectCaches, _ options: TargetOptions) -> ConfigTracker? {
        options.configTracking
            ? ConfigTracker(client: client, configMaps: caches[.configMaps], secrets: caches[.secrets], labels: options.labels) : nil
    }

    func target(of canary: Canary) -> JSONValue? { cache.get(namespace: canary.namespace, name: canary.targetName)?.json }

    func primary(of canary: Canary) -> JSONValue? { cache.get(namespace: canary.namespace, name: canary.primaryName)?.json }
}
