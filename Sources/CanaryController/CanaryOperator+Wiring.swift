import CanaryAPI
import KubeCore
import KubeRuntime
import Routers
import Targets

/// What the operator watches and which changes reconcile which Canaries.
extension CanaryOperator {
    static let targetIndex = "target"
    static let templateIndex = "metricTemplate"

    /// A target cache's index: by each ConfigMap and Secret its pod template uses (`ns/kind/name`).
    static let configIndex = CacheIndex<DynamicObject>(name: "config") { object in
        guard let spec = object.json[path: "spec", "template", "spec"] else { return [] }
        return PodConfigReferences.references(in: spec).map { "\(object.namespace ?? "")/\($0.kind.rawValue)/\($0.name)" }
    }

    static let autoscalerIndex = "autoscaler"

    /// The Canary cache's indexes: by target (`ns/name`), by each MetricTemplate named (`ns/name`), by HPA
    /// (`ns/name`), by each object a router reads for it (``referenceIndex(_:)``), by the reason it is held
    /// (``heldIndex``) and whether it depends on others. Triggers and metrics read these, never a list: the
    /// Canaries are held encoded, and a list decodes every one.
    static func canaryIndexes(routers: [RouterRegistration] = []) -> [CacheIndex<DynamicObject>] {
        let byName: @Sendable (DynamicObject, String?) -> [String] = { object, name in name.map { ["\(object.namespace ?? "")/\($0)"] } ?? [] }
        return [
            CacheIndex(name: targetIndex) { byName($0, $0.json[path: "spec", "targetRef", "name"]?.stringValue) },
            CacheIndex(name: templateIndex) { object in
                (object.json[path: "spec", "analysis", "metrics"]?.arrayValue ?? []).compactMap { metric in
                    metric[path: "templateRef", "name"]?.stringValue.map {
                        "\(metric[path: "templateRef", "namespace"]?.stringValue ?? object.namespace ?? "")/\($0)"
                    }
                }
            },
            CacheIndex(name: autoscalerIndex) { byName($0, $0.json[path: "spec", "autoscalerRef", "name"]?.stringValue) },
            CacheIndex(name: heldIndex) { heldReason($0).map { [$0] } ?? [] },
            dependentsIndexer,
        ]
            + routers.flatMap(\.references).map { reference in
                CacheIndex(name: referenceIndex(reference.resource)) { object in reference.names(object.json).flatMap { byName(object, $0) } }
            }
    }

    /// The index of the Canaries by the objects of `resource` a router reads for them (`ns/name`).
    static func referenceIndex(_ resource: KubeResource) -> String { "reference:\(resource.plural).\(resource.group)" }

    /// What the operator watches besides Canaries, once per resource: the targets' kinds, the Services
    /// and HPAs every target gets, MetricTemplates, and what the enabled routers read.
    static func watchedResources(
        routers: [RouterRegistration], targets: [TargetRegistration], configTracking: Bool, rolloutPolicies: Bool = false
    ) -> [WatchedResource] {
        var seen = Set<KubeResource>()
        let all =
            targets.map(\.resource)
            + [
                WatchedResource(.services, owned: true), WatchedResource(.horizontalPodAutoscalers),
                WatchedResource(MetricTemplate.resource, crd: "metrictemplates.flagger.app"),
            ]
            + (configTracking ? ConfigTracker.resources : [])
            + (rolloutPolicies ? [WatchedResource(RolloutPolicy.resource, crd: RolloutPolicy.crd)] : [])
            + routers.flatMap(\.resources)
        return all.filter { seen.insert($0.resource).inserted }
    }

    /// What lives in the service mesh's own cluster (`--kubeconfig-service-mesh`): the custom resources of the
    /// routers whose objects are all custom resources (Istio's, SMI's, Gateway API's…), as Flagger writes them
    /// through its mesh client. Routers of core objects (`nginx`, `skipper`: Ingresses) stay beside the Canaries,
    /// and so does Knative's (its routing is the target Knative Service itself).
    static func meshResources(of routers: [RouterRegistration]) -> Set<KubeResource> {
        Set(
            routers.filter { $0.provider != .knative && !$0.resources.isEmpty && $0.resources.allSatisfy { $0.crd != nil } }
                .flatMap { $0.resources.map(\.resource) })
    }

    /// The controller's triggers: a target changing reconciles the Canaries targeting it, an HPA those
    /// naming it, a MetricTemplate those using it, a ConfigMap or Secret (with config tracking) those whose
    /// target uses it, an object a router reads for a Canary (the nginx provider's Ingress) the Canaries naming
    /// it, and an owned object (primary, Services, routing, config copies) its Canary.
    static func triggers(
        of controller: Controller<DynamicObject, OperatorClock>, canaries canaryCache: ObjectCache<DynamicObject>,
        watched: [WatchedResource], targets: [TargetRegistration], routers: [RouterRegistration] = [], configTracking: Bool,
        events: EventRecorder? = nil, follow: (KubeResource) -> Reflector<DynamicObject>
    ) -> Controller<DynamicObject, OperatorClock> {
        var controller = controller
        if configTracking {
            let targetCaches = targets.map { follow($0.resource.resource).cache }
            for (resource, kind) in [(KubeResource.configMaps, ConfigReference.Kind.configMap), (.secrets, .secret)] {
                controller = controller.watches(follow(resource)) { config in
                    canariesUsing(kind, named: config.name ?? "", namespace: config.namespace ?? "", canaries: canaryCache, targets: targetCaches)
                }
            }
        }
        // A workload's status alone (a canary becoming ready while the next step is scheduled) waits for the
        // time a Canary whose decision waits for time alone asked for; unless it carries the revision.
        let workloads = Set(targets.map(\.resource.resource))
        for registration in targets {
            let statusChanges: StatusChanges = registration.revisionInStatus ? .wake : .waitForTime
            controller = controller.watches(follow(registration.resource.resource), statusChanges: statusChanges) { object in
                canaryCache.keys(byIndex: targetIndex, "\(object.namespace ?? "")/\(object.name ?? "")")
            }
        }
        controller = controller.watches(follow(.horizontalPodAutoscalers)) { hpa in
            canaryCache.keys(byIndex: autoscalerIndex, "\(hpa.namespace ?? "")/\(hpa.name ?? "")")
        }
        if watched.contains(where: { $0.resource == RolloutPolicy.resource }) {
            // A policy's slots changed: its holders start, its queue asks again (a freed slot is granted in order).
            controller = controller.watches(follow(RolloutPolicy.resource)) { policy in
                if let events { reportUnreadable(policy, events: events) }
                let status = policy.json["status"]
                let keys =
                    (status?["holders"]?.arrayValue ?? []).compactMap { $0["canary"]?.stringValue }
                    + (status?["queue"]?.arrayValue ?? []).compactMap(\.stringValue)
                return keys.compactMap { ObjectKey(namespaced: $0) }
            }
        }
        controller = controller.watches(follow(MetricTemplate.resource)) { template in
            canaryCache.keys(byIndex: templateIndex, "\(template.namespace ?? "")/\(template.name ?? "")")
        }
        for reference in routers.flatMap(\.references) {
            controller = controller.watches(follow(reference.resource)) { object in
                canaryCache.keys(byIndex: referenceIndex(reference.resource), "\(object.namespace ?? "")/\(object.name ?? "")")
            }
        }
        for watchedResource in watched where watchedResource.owned {
            controller = controller.owns(
                follow(watchedResource.resource), ownerKind: Canary.resource.kind,
                statusChanges: workloads.contains(watchedResource.resource) ? .waitForTime : .wake)
            guard watchedResource.crd != nil else { continue }
            // A routing object that cannot carry an owner reference (cluster-scoped, or in the mesh's own cluster)
            // names its Canary `<namespace>/<name>` by annotation.
            controller = controller.watches(follow(watchedResource.resource)) { object in
                object.metadata.annotations?[OwnedObjectApplier.ownerAnnotation].flatMap { ObjectKey(namespaced: $0) }.map { [$0] } ?? []
            }
        }
        return controller
    }

    /// A RolloutPolicy the operator cannot decode (possible only past the CRD's schema) selects nothing: a
    /// Warning on it says so, until it changes.
    static func reportUnreadable(_ policy: DynamicObject, events: EventRecorder) {
        do { _ = try policy.json.decode(as: RolloutPolicy.self) } catch {
            let skip = SkippedObject(
                namespace: nil, name: policy.name ?? "", uid: policy.uid, resourceVersion: policy.resourceVersion,
                reason: "\(error); it selects no Canary")
            reportSkipped(skip, resource: RolloutPolicy.resource, events: events)
        }
    }

    /// The Canaries in `namespace` whose target's pod template uses the ConfigMap or Secret `name`.
    /// Through the indexes: the targets using it, then the Canaries targeting those (not every Canary of the
    /// namespace, which a busy namespace's ConfigMaps would have read on every change).
    static func canariesUsing(
        _ kind: ConfigReference.Kind, named name: String, namespace: String, canaries: ObjectCache<DynamicObject>,
        targets: [ObjectCache<DynamicObject>]
    ) -> [ObjectKey] {
        let users = Set(targets.flatMap { $0.byIndex(configIndex.name, "\(namespace)/\(kind.rawValue)/\(name)") }.compactMap(\.name))
        return Set(users.flatMap { canaries.keys(byIndex: targetIndex, "\(namespace)/\($0)") }).sorted()
    }
}
