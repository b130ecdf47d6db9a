import CanaryAPI
import Foundation

/// Everything a decision needs, gathered by the controller from its caches and checks. No IO happens
/// after this is built.
public struct Observation: Sendable {
    /// The only clock a decision reads.
    public var now: Date
    public var canary: Canary
    /// The shortest analysis interval honoured (Flagger: 10 s).
    public var minimumInterval: Duration
    /// The target workload, `nil` when it does not exist.
    public var target: WorkloadState?
    /// The primary workload, `nil` when it does not exist yet.
    public var primary: WorkloadState?
    /// The live weights of the mesh routes, `nil` when the routing object does not exist.
    public var routes: Routes?
    /// Whether the router splits traffic (a mesh). Without (the `kubernetes` provider) the apex Service
    /// always selects the primary: no routes are set and no routing is announced; blue/green switches by
    /// promoting.
    public var splitsTraffic = true
    /// The outcome of the metric checks (``Check/metrics``), `nil` while they have not run.
    public var checks: CheckResults?
    /// The outcome of the webhooks of each type that ran (``Check/hooks(_:phase:)``), in call order.
    public var hooks: [WebhookType: [HookResult]] = [:]
    /// The baseline workload and Service (`analysis.baseline`) the Canary owns, as found.
    public var baseline = SideWorkloadState()
    /// The previous version's workload and Service (`analysis.bake.keepPrevious`) the Canary owns, as found.
    public var previous = SideWorkloadState()
    /// Where the Canary stands under the rollout policies (``CanaryAPI/RolloutPolicy``) that govern it.
    public var slots = SlotStanding()
    /// What a new revision still waits for among the Canaries it depends on (`spec.dependsOn`), one message
    /// each (``CanaryDependencies/unmet(_:release:)``); empty when nothing.
    public var dependencies: [String] = []

    public init(
        now: Date, canary: Canary, minimumInterval: Duration = .seconds(10), target: WorkloadState?, primary: WorkloadState?,
        routes: Routes?, checks: CheckResults? = nil
    ) {
        self.now = now
        self.canary = canary
        self.minimumInterval = minimumInterval
        self.target = target
        self.primary = primary
        self.routes = routes
        self.checks = checks
    }
}

/// A workload as the decision sees it.
public struct WorkloadState: Sendable, Equatable {
    /// The revision: the hash of the pod template, with the checksums of its tracked configs when it has
    /// any (for the primary: the revision it was promoted from).
    public var templateHash: String
    public var readiness: Readiness
    public var replicas: Int
    /// The tracked ConfigMaps and Secrets (`configmap/<name>` → checksum), Flagger's `status.trackedConfigs`.
    public var configs: [String: String]
    /// For the primary: the revision it ran before its last promotion, when Serin recorded it (what
    /// `kubectl serin undo` gives back); `nil` otherwise.
    public var previous: String?
    /// Why `previous` cannot be given back (the last promotion changed tracked configs), when it cannot.
    public var previousBlocked: String?

    public init(templateHash: String, readiness: Readiness, replicas: Int, configs: [String: String] = [:]) {
        self.templateHash = templateHash
        self.readiness = readiness
        self.replicas = replicas
        self.configs = configs
    }
}

/// Whether a workload's rollout is done.
public enum Readiness: Sendable, Equatable {
    case ready
    /// Still rolling out: wait.
    case waiting(String)
    /// It will not become ready (progress deadline exceeded): give up.
    case failed(String)
}

/// A workload Serin runs beside the primary and the canary, with its Service — the baseline
/// (`analysis.baseline`) or the previous version (`analysis.bake.keepPrevious`) — as the decision sees it:
/// only objects the Canary controls count, so a user's object of the same name is never taken for it (nor
/// deleted).
public struct SideWorkloadState: Sendable, Equatable {
    /// The `<target>-baseline` Deployment, `nil` when it does not exist.
    public var workload: WorkloadState?
    /// Whether the `<service>-baseline` Service exists.
    public var service: Bool

    public init(workload: WorkloadState? = nil, service: Bool = false) {
        self.workload = workload
        self.service = service
    }

    /// Whether anything of it exists.
    public var exists: Bool { workload != nil || service }
}

/// Traffic weights in percent.
public struct Routes: Sendable, Equatable, CustomStringConvertible {
    public var primary: Int
    public var canary: Int
    /// The baseline's weight (`analysis.baseline`): the canary's during an analysis, else 0.
    public var baseline: Int
    /// The previous version's weight (`analysis.bake.keepPrevious`): 100 from a failed bake's rollback until
    /// the primary runs the previous version again, else 0.
    public var previous: Int
    /// Whether the primary's requests are also copied to the canary (mirroring; the copies' answers are
    /// discarded).
    public var mirrored: Bool
    /// A script's header routes in force (`setHeaderRoute`), ahead of the weighted route: matching requests
    /// go to the canary.
    public var headerRoutes: [HeaderRoute]
    /// A script's mirror routes in force (`setMirrorRoute`), after the header routes: matching requests are
    /// answered by the primary and copied to the canary.
    public var mirrorRoutes: [MirrorRoute]

    public init(
        primary: Int, canary: Int, baseline: Int = 0, previous: Int = 0, mirrored: Bool = false, headerRoutes: [HeaderRoute] = [],
        mirrorRoutes: [MirrorRoute] = []
    ) {
        self.primary = primary
        self.canary = canary
        self.baseline = baseline
        self.previous = previous
        self.mirrored = mirrored
        self.headerRoutes = headerRoutes
        self.mirrorRoutes = mirrorRoutes
    }

    public static let allPrimary = Routes(primary: 100, canary: 0)

    /// All traffic to the previous version (a failed bake's instant rollback).
    public static let allPrevious = Routes(primary: 0, canary: 0, previous: 100)

    /// `primary/canary`, then `/baseline` when the baseline has weight, ` previous N` when the previous version
    /// has, then the names of the header and mirror routes.
    public var description: String {
        let named = headerRoutes.map { " header \($0.name)" } + mirrorRoutes.map { " mirror \($0.name)" }
        return "\(primary)/\(canary)\(baseline > 0 ? "/\(baseline)" : "")\(previous > 0 ? " previous \(previous)" : "")\(mirrored ? " mirrored" : "")"
            + named.joined()
    }

    /// Whether a header or mirror route sends the canary requests whatever its weight.
    public var requestRouted: Bool { !headerRoutes.isEmpty || mirrorRoutes.contains { $0.percentage > 0 } }

    /// These routes with the baseline's share given to the primary.
    public var withoutBaseline: Routes {
        var routes = self
        (routes.primary, routes.baseline) = (primary + baseline, 0)
        return routes
    }
}

/// The outcome of one analysis step's checks.
public struct CheckResults: Sendable, Equatable {
    /// One message per failed check, in Flagger's words ("Halt … advancement success rate 80.00% < 99%").
    public var failures: [String]
    /// The value each metric had, by metric name (durations in seconds), for the operator's metrics.
    public var values: [String: Double]
    /// Each metric checked, for the journal: the query as sent, the value, the threshold, the verdict.
    public var records: [JournalEntry.Metric]
    /// Metrics without data under `noData: hold`: the step waits (no advance, no failed check).
    public var held: [String]
    /// The verdict over the compared metrics, `nil` without any.
    public var verdict: StepVerdict?

    public init(
        failures: [String], values: [String: Double] = [:], records: [JournalEntry.Metric] = [], held: [String] = [], verdict: StepVerdict? = nil
    ) {
        self.failures = failures
        self.values = values
        self.records = records
        self.held = held
        self.verdict = verdict
    }

    /// Why the step is inconclusive (the compared metrics could not tell), `nil` when it is not.
    public var inconclusive: String? { verdict.flatMap { $0.outcome == .inconclusive ? $0.reason : nil } }

    public var passed: Bool { failures.isEmpty }

    /// These results with `failure` as the step's failure.
    public func failing(_ failure: String) -> CheckResults {
        var failed = self
        failed.failures = [failure]
        return failed
    }
}
