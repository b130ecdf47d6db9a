import KubeAPIServer
import KubeCore

/// What the sandbox's audit log says of a wave of rollouts under a RolloutPolicy: replayed write by write, how
/// many Canaries were analysing at most, the most slots a policy write recorded, the order Canaries joined the
/// policy and the order they were granted a slot, and which ones were seen waiting.
public struct FleetAudit: Sendable {
    public static let analysing: Set<String> = ["Progressing", "WaitingPromotion", "Promoting", "Finalising"]

    /// The most Canaries analysing at once, by their written phases.
    public var mostAnalysing = 0
    /// The most holders one policy write recorded.
    public var mostHolders = 0
    /// The Canaries (`namespace/name`) in the order they first appeared in a policy (queued or granted).
    public var arrived: [String] = []
    /// The Canaries in the order they were first granted a slot.
    public var granted: [String] = []
    /// The Canaries whose status once said they waited for a slot.
    public var waited: Set<String> = []

    public init(_ writes: [AuditLog.Entry]) {
        var latest: [String: String] = [:]
        for write in writes {
            switch write.plural {
            case "canaries":
                latest["\(write.namespace ?? "")/\(write.name)"] = write.object[path: "status", "phase"]?.stringValue ?? ""
                mostAnalysing = max(mostAnalysing, latest.values.filter { FleetAudit.analysing.contains($0) }.count)
                let slot = (write.object[path: "status", "conditions"]?.arrayValue ?? []).first { $0["type"] == "RolloutSlot" }
                if slot?["reason"] == "Waiting" { waited.insert("\(write.namespace ?? "")/\(write.name)") }
            case "rolloutpolicies":
                let holders = (write.object[path: "status", "holders"]?.arrayValue ?? []).compactMap { $0["canary"]?.stringValue }
                let queue = (write.object[path: "status", "queue"]?.arrayValue ?? []).compactMap(\.stringValue)
                mostHolders = max(mostHolders, holders.count)
                for canary in queue + holders where !arrived.contains(canary) { arrived.append(canary) }
                for canary in holders where !granted.contains(canary) { granted.append(canary) }
            default: break
            }
        }
    }
}
