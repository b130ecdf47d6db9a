import Foundation
import KubeCore

extension KnativeSimulator {
    /// Whether a Revision's `Ready` condition is `True`.
    static func isReady(_ revision: JSONValue) -> Bool {
        (revision[path: "status", "conditions"]?.arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" }
    }

    /// A Revision's status: `Ready` (and `ContainerHealthy`, `ResourcesAvailable`) at `ready`.
    static func revisionStatus(ready: String, reason: String?, now: Date) -> JSONValue {
        let conditions = ["ContainerHealthy", "Ready", "ResourcesAvailable"].map { condition(type: $0, status: ready, reason: reason, now: now) }
        return ["observedGeneration": 1, "conditions": .array(conditions)]
    }

    static func condition(type: String, status: String, reason: String?, now: Date) -> JSONValue {
        var condition: JSONValue = ["type": .string(type), "status": .string(status), "lastTransitionTime": .string(KubeTime(now).description)]
        if let reason { condition["reason"] = .string(reason) }
        return condition
    }

    /// The status Knative gives a Service with these revisions (oldest first). Pure.
    static func status(of service: JSONValue, revisions: [JSONValue], now: Date) -> JSONValue {
        let name = service[path: "metadata", "name"]?.stringValue ?? ""
        let namespace = service[path: "metadata", "namespace"]?.stringValue ?? "default"
        let latestCreated = revisions.last?[path: "metadata", "name"]?.stringValue
        let latestReady = revisions.last(where: isReady)?[path: "metadata", "name"]?.stringValue
        let ready = Set(revisions.filter(isReady).compactMap { $0[path: "metadata", "name"]?.stringValue })
        let traffic = resolvedTraffic(service[path: "spec", "traffic"]?.arrayValue ?? [], latestReady: latestReady)
        let routed = !traffic.isEmpty && traffic.allSatisfy { ready.contains($0["revisionName"]?.stringValue ?? "") }
        let configured = latestCreated != nil && latestCreated == latestReady
        var status: JSONValue = [
            "observedGeneration": service[path: "metadata", "generation"] ?? 1,
            "url": .string("http://\(name).\(namespace).example.com"),
            "address": ["url": .string("http://\(name).\(namespace).svc.cluster.local")],
            "traffic": .array(traffic),
            "conditions": [
                condition(
                    type: "ConfigurationsReady", status: configured ? "True" : "Unknown", reason: configured ? nil : "RevisionMissing", now: now),
                condition(
                    type: "Ready", status: configured && routed ? "True" : "Unknown", reason: configured && routed ? nil : "RevisionMissing", now: now
                ),
                condition(type: "RoutesReady", status: routed ? "True" : "Unknown", reason: routed ? nil : "RevisionMissing", now: now),
            ],
        ]
        if let latestCreated { status["latestCreatedRevisionName"] = .string(latestCreated) }
        if let latestReady { status["latestReadyRevisionName"] = .string(latestReady) }
        return status
    }

    /// `spec.traffic` as Knative reports it: every entry naming its revision (`latestRevision: true` the
    /// latest ready one); no entries is all to the latest ready revision.
    static func resolvedTraffic(_ entries: [JSONValue], latestReady: String?) -> [JSONValue] {
        guard !entries.isEmpty else {
            return latestReady.map { [["revisionName": .string($0), "latestRevision": true, "percent": 100]] } ?? []
        }
        return entries.compactMap { entry -> JSONValue? in
            let latest = entry["latestRevision"]?.boolValue ?? (entry["revisionName"] == nil)
            guard let revision = latest ? latestReady : entry["revisionName"]?.stringValue else { return nil }
            var resolved: JSONValue = ["revisionName": .string(revision), "latestRevision": .bool(latest), "percent": entry["percent"] ?? 0]
            if let tag = entry["tag"] { resolved["tag"] = tag }
            return resolved
        }
    }

    /// A status without its conditions' transition times: what decides whether it changed.
    static func withoutTimes(_ status: JSONValue?) -> JSONValue? {
        guard var status else { return nil }
        status["conditions"] = status["conditions"]?.arrayValue.map {
            .array(
                $0.map {
                    var c = $0; c["lastTransitionTime"] = nil; return c
                })
        }
        return status
    }
}
