import CanaryAPI
import Foundation
import KubeCore

/// The rollout budget of ``CanaryAPI/RolloutPolicy``, as pure functions over a policy's status: the executor
/// applies them in a compare-and-swap loop, so that every replica and shard changes the one budget the API
/// server holds.
///
/// First come, first served: a Canary asking for a slot joins the queue; slots are granted in queue order to
/// every queued Canary that fits (`maxProgressing`, and `maxProgressingPerNamespace` — one blocked by its
/// namespace keeps its place while those behind it from other namespaces go). Any change grants what fits, so
/// a released slot goes to the head of the queue even before that Canary looks again.
public enum RolloutSlots {
    /// The status after `canary` asks for a slot (joining the queue if it holds none and is not queued),
    /// with the Canaries that no longer exist (`exists`) dropped first.
    public static func acquire(
        _ policy: RolloutPolicy, canary: String, now: Date, exists: (String) -> Bool
    ) -> RolloutPolicy.Status {
        var status = pruned(policy.status ?? RolloutPolicy.Status(), exists: exists)
        let holders = status.holders ?? []
        if !holders.contains(where: { $0.canary == canary }) && !(status.queue ?? []).contains(canary) {
            status.queue = (status.queue ?? []) + [canary]
        }
        return granted(status, policy: policy, now: now)
    }

    /// The status after `canary` gives its slot back (or leaves the queue), the freed slot granted on. A
    /// rollback (`rolledBack`) is counted for `stopTheLine`, which stops the line at its limit.
    public static func release(
        _ policy: RolloutPolicy, canary: String, rolledBack: Bool = false, now: Date, exists: (String) -> Bool
    ) -> RolloutPolicy.Status {
        var status = pruned(policy.status ?? RolloutPolicy.Status(), exists: exists)
        let held = (status.holders ?? []).contains { $0.canary == canary }
        status.holders = (status.holders ?? []).filter { $0.canary != canary }
        status.queue = (status.queue ?? []).filter { $0 != canary }
        if rolledBack, held, let rule = policy.spec.stopTheLine { status = counted(status, rule: rule, canary: canary, now: now) }
        return granted(status, policy: policy, now: now)
    }

    /// The status with a rollback of `canary` counted, the ones older than the rule's window forgotten, and the
    /// line stopped once `rollbacks` are within it.
    static func counted(_ status: RolloutPolicy.Status, rule: RolloutPolicy.StopTheLine, canary: String, now: Date) -> RolloutPolicy.Status {
        var status = status
        let window = ValidationIssues.parsedDuration(rule.within)?.duration.seconds ?? 3600  // unreadable (the CRD checks it): an hour
        let recent = (status.rollbacks ?? []).filter { (KubeTime(rfc3339: $0.since)?.date ?? .distantPast) > now.addingTimeInterval(-window) }
        let rollbacks = recent + [RolloutPolicy.SlotHolder(canary: canary, since: KubeTime(now).description)]
        status.rollbacks = rollbacks
        if status.stopped == nil, rollbacks.count >= max(rule.rollbacks, 1) {
            status.stopped = RolloutPolicy.Stop(
                at: KubeTime(now).description,
                reason: "\(rollbacks.count) rollbacks within \(rule.within): \(rollbacks.map(\.canary).joined(separator: ", "))")
        }
        return status
    }

    /// The status with the line running again (`kubectl serin policy resume`), its rollbacks forgotten.
    public static func resumed(_ policy: RolloutPolicy) -> RolloutPolicy.Status {
        var status = policy.status ?? RolloutPolicy.Status()
        (status.stopped, status.rollbacks) = (nil, nil)
        return status
    }

    /// Slots granted in queue order to every queued Canary that fits.
    static func granted(_ status: RolloutPolicy.Status, policy: RolloutPolicy, now: Date) -> RolloutPolicy.Status {
        let (budget, perNamespace) = (policy.budget, policy.spec.maxProgressingPerNamespace ?? Int.max)
        var holders = status.holders ?? []
        var queue: [String] = []
        let since = KubeTime(now).description
        for canary in status.queue ?? [] {
            let namespace = namespace(of: canary)
            let inNamespace = holders.filter { RolloutSlots.namespace(of: $0.canary) == namespace }.count
            if holders.count < budget, inNamespace < perNamespace {
                holders.append(RolloutPolicy.SlotHolder(canary: canary, since: since))
            } else {
                queue.append(canary)
            }
        }
        var result = status
        (result.holders, result.queue) = (holders.isEmpty ? nil : holders, queue.isEmpty ? nil : queue)
        return result
    }

    private static func pruned(_ status: RolloutPolicy.Status, exists: (String) -> Bool) -> RolloutPolicy.Status {
        var pruned = status
        (pruned.holders, pruned.queue) = (status.holders?.filter { exists($0.canary) }, status.queue?.filter(exists))
        return pruned
    }

    static func namespace(of key: String) -> String { key.split(separator: "/", maxSplits: 1).first.map(String.init) ?? "" }

    /// Where a Canary stands under the policies that govern it (`policies`: those selecting it) at `now`.
    public static func standing(of canary: String, under policies: [RolloutPolicy], now: Date = .distantPast) -> SlotStanding {
        var standing = SlotStanding()
        for policy in policies.sorted(by: { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }) {
            let name = policy.metadata.name ?? ""
            standing.policies.append(name)
            if let stop = policy.status?.stopped {
                standing.stopped.append("policy \(name) stopped the line at \(stop.at) after \(stop.reason)")
            }
            for window in policy.spec.freezeWindows ?? [] {
                switch window.state(at: now) {
                case .closed: continue
                case .open(let until):
                    standing.frozen.append("window \(window.name) of policy \(name) until \(KubeTime(until).description)")
                    standing.thawsAt = min(standing.thawsAt ?? until, until)
                case .unreadable(let why):
                    standing.frozen.append("window \(window.name) of policy \(name) cannot be read (\(why)), so it counts as open")
                }
                standing.inFlight = max(standing.inFlight, SlotStanding.InFlight(rawValue: policy.spec.inFlight ?? "finish") ?? .finish)
            }
            let holders = policy.status?.holders ?? []
            if holders.contains(where: { $0.canary == canary }) {
                standing.held.insert(name)
                continue
            }
            let queue = policy.status?.queue ?? []
            if let position = queue.firstIndex(of: canary) {
                standing.queued = true
                standing.waiting.append(
                    "\(holders.count) of \(policy.budget) in use, \(position) ahead in the queue (policy \(name))")
            } else {
                standing.waiting.append("\(holders.count) of \(policy.budget) in use (policy \(name))")
            }
        }
        return standing
    }
}

/// A Canary's standing under the rollout policies that govern it, as a decision sees it.
public struct SlotStanding: Sendable, Equatable {
    /// The names of the policies that select it; empty when none does.
    public var policies: [String] = []
    /// Those in which it holds a slot.
    public var held: Set<String> = []
    /// Whether it waits in a policy's queue.
    public var queued = false
    /// For each policy where it holds no slot, how that policy stands ("5 of 5 in use (policy shared-libs)").
    public var waiting: [String] = []
    /// The freeze windows open now ("window quarter-end of policy shared-libs until …"); none when empty.
    public var frozen: [String] = []
    /// When the first open window closes (`nil`: none open, or only unreadable ones).
    public var thawsAt: Date?
    /// The policies that stopped the line (`stopTheLine`), each with why; none when empty.
    public var stopped: [String] = []
    /// What the open windows do to a rollout under way: the strictest of their policies'.
    public var inFlight = InFlight.finish

    /// What a freeze window does to a rollout under way, from the mildest.
    public enum InFlight: String, Sendable, Comparable {
        case finish, pause, rollback
        var rank: Int {
            switch self {
            case .finish: 0
            case .pause: 1
            case .rollback: 2
            }
        }
        public static func < (a: InFlight, b: InFlight) -> Bool { a.rank < b.rank }
    }

    public init() {}

    /// Whether it may analyse: governed by no policy, or holding a slot in each.
    public var mayAnalyse: Bool { held.count == policies.count }
    /// Whether it has anything to give back.
    public var holdsOrWaits: Bool { !held.isEmpty || queued }
}
