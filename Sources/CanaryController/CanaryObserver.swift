import CanaryAPI
import CanaryCore
import Foundation
import KubeCore
import KubeRuntime
import Routers
import Targets

/// The providers one Canary is reconciled with: its target kind's and its router's.
struct CanaryParts {
    var target: any CanaryTarget
    var router: any TrafficRouter
    var provider: MeshProvider
}

/// Reads a Canary and what it names from the caches: the spec decoded and validated, the providers it is
/// reconciled with, its target, and the ``Observation`` a decision is taken from. It writes nothing; what it
/// cannot use it throws as an ``InvalidCanary``.
struct CanaryObserver: Sendable {
    let canaries: ObjectCache<DynamicObject>
    /// The workload side, by target kind.
    let targets: [TargetKind: any CanaryTarget]
    /// The routers this operator runs, by provider.
    let routers: [MeshProvider: any TrafficRouter]
    /// The Canaries' Services (the baseline's is looked up).
    let services: KubernetesServiceRouter
    /// The rollout policies (`--rollout-policies`), `nil` when not followed.
    let policies: ObjectCache<DynamicObject>?
    /// What validation accepts: the operator's default provider, its routers and target kinds.
    let validation: ValidationContext
    let minimumInterval: Duration
    let clock: OperatorClock
    let validSpecs = ValidSpecs()

    /// The cached Canary, if it still exists.
    func cached(_ request: ObjectKey) -> DynamicObject? {
        guard let object = canaries.get(request) else {
            validSpecs.forget(request)
            return nil
        }
        return object
    }

    /// The Canary decoded and validated (each spec once per generation), and the providers it names.
    func read(_ object: DynamicObject) throws(InvalidCanary) -> (Canary, CanaryParts) {
        var canary: Canary
        do {
            canary = try object.json.decode(as: Canary.self)
            canary.status = canary.status?.bounded()
        } catch let error as DecodingError {
            throw InvalidCanary(reason: "InvalidSpec", message: error.fieldMessage)
        } catch {
            throw InvalidCanary(reason: "InvalidSpec", message: "\(error)")
        }
        if !validSpecs.contains(object) {
            let issues = canary.validate(validation) + Canary.refusedFields(in: object.json["spec"] ?? [:])
            guard issues.isEmpty else {
                validSpecs.forget(ObjectKey(object))
                throw InvalidCanary(reason: "InvalidSpec", message: issues.map(\.description).joined(separator: "; "))
            }
            validSpecs.record(object)
        }
        guard let kind = canary.targetKind, let workload = targets[kind],
            let provider = canary.meshProvider(default: validation.meshProvider), let router = routers[provider]
        else {
            // Validation refuses a kind or provider this operator does not run; this is its backstop.
            throw InvalidCanary(reason: "InvalidSpec", message: "the target kind or provider is not enabled on this operator")
        }
        // A StatefulSet is routed by its partition, whatever the provider.
        if let statefulSet = workload as? StatefulSetTarget {
            let partition = StatefulSetRouter(target: statefulSet, queries: StatefulSetQueries.queries(for: provider))
            return (canary, CanaryParts(target: workload, router: partition, provider: provider))
        }
        return (canary, CanaryParts(target: workload, router: router, provider: provider))
    }

    /// The Canary's target and the label its pods are selected by.
    func target(of canary: Canary, parts: CanaryParts) throws(InvalidCanary) -> (JSONValue, selector: (key: String, value: String)) {
        guard let target = parts.target.target(of: canary) else {
            let kind = canary.targetKind?.rawValue ?? "target"
            throw InvalidCanary(reason: "TargetNotFound", message: "\(kind) \(canary.namespace)/\(canary.targetName) not found")
        }
        do { return (target, try parts.target.selectorLabel(of: target)) } catch {
            throw InvalidCanary(reason: "InvalidTarget", message: error.description)
        }
    }

    /// What a step is decided from: the Canary, its target and primary, and the routes, now.
    func observe(_ canary: Canary, target: JSONValue, parts: CanaryParts) -> Observation {
        let time = clock.date
        let workload = parts.target
        // The checks of an `analysis.steps` step under way join the analysis's for this decision.
        var observation = Observation(
            now: time, canary: canary.withStepChecks(), minimumInterval: minimumInterval,
            target: workload.state(target: target, canary: canary, now: time),
            primary: workload.primary(of: canary).map { workload.state(primary: $0, canary: canary, now: time) },
            routes: parts.router.routes(canary))
        observation.splitsTraffic = parts.router.splitsTraffic
        observation.baseline = baseline(of: canary, parts: parts, now: time)
        observation.previous = previous(of: canary, parts: parts, now: time)
        observation.dependencies = unmetDependencies(of: canary, target: target, now: time)
        if let policies {
            observation.slots = RolloutSlots.standing(
                of: "\(canary.namespace)/\(canary.metadata.name ?? "")", under: RolloutSlotWriter.governing(canary, in: policies), now: time)
        }
        return observation
    }

    /// The baseline's Deployment and Service, those the Canary controls (`analysis.baseline`).
    func baseline(of canary: Canary, parts: CanaryParts, now: Date) -> SideWorkloadState {
        SideWorkloadState(workload: (parts.target as? any BaselineTarget)?.baseline(of: canary, now: now), service: services.has(.baseline, canary))
    }

    /// The previous version's Deployment and Service, those the Canary controls (`analysis.bake.keepPrevious`).
    func previous(of canary: Canary, parts: CanaryParts, now: Date) -> SideWorkloadState {
        SideWorkloadState(
            workload: (parts.target as? any PreviousTarget)?.previousWorkload(of: canary, now: now), service: services.has(.previous, canary))
    }

    /// What the termination of a Canary being deleted is decided from: its target, if there is one.
    func observeTermination(_ canary: Canary, parts: CanaryParts) -> Observation {
        let time = clock.date
        let workload = parts.target
        var observation = Observation(
            now: time, canary: canary, minimumInterval: minimumInterval,
            target: workload.target(of: canary).map { workload.state(target: $0, canary: canary, now: time) },
            primary: nil, routes: nil)
        observation.baseline = baseline(of: canary, parts: parts, now: time)
        observation.previous = previous(of: canary, parts: parts, now: time)
        return observation
    }
}
