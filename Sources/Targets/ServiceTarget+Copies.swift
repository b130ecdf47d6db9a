import CanaryAPI
import KubeCore
import KubeRuntime

extension ServiceTarget {
    /// What the cluster assigns a Service: never copied, and kept on the copy once assigned.
    static let assignedFields = ["clusterIP", "clusterIPs", "healthCheckNodePort"]

    /// A target's revision: the hash of its spec without what the cluster assigned (its cluster IPs and node
    /// ports), so that copying it does not change it.
    public static func revision(_ service: JSONValue) -> String { portable(service[path: "spec"] ?? [:]).stableHash }

    /// `spec` without the fields the cluster assigns.
    static func portable(_ spec: JSONValue) -> JSONValue {
        var spec = spec
        for field in assignedFields { spec[field] = nil }
        if let ports = spec["ports"]?.arrayValue {
            spec["ports"] = .array(
                ports.map { port in
                    var port = port
                    port["nodePort"] = nil
                    return port
                })
        }
        return spec
    }

    /// The copy of `target` Serin wants, from the live copy (`nil`: none yet). Pure.
    ///
    /// The spec is the target's, with `service.trafficDistribution` when set; a live copy keeps its cluster IPs
    /// and node ports (Flagger copies the target's node ports, which the API server refuses as allocated). A
    /// new copy takes the target's labels and annotations without kubectl's last-applied configuration, as in
    /// Flagger; `metadata` (at promotion) replaces them.
    static func copy(of target: JSONValue, canary: Canary, live: JSONValue?, metadata: JSONValue?) -> JSONValue {
        var spec = portable(target[path: "spec"] ?? [:])
        if let distribution = canary.spec.service?.trafficDistribution { spec["trafficDistribution"] = .string(distribution) }
        if let live {
            for field in assignedFields { spec[field] = live[path: "spec", field] }
            spec["ports"] = withNodePorts(spec["ports"], from: live[path: "spec", "ports"])
        }
        var copy = live ?? ["apiVersion": "v1", "kind": "Service"]
        copy["spec"] = spec
        if let metadata {
            copy[path: "metadata", "labels"] = metadata["labels"]
            copy[path: "metadata", "annotations"] = withOwnAnnotations(metadata["annotations"], live: live)
        } else if live == nil {
            copy[path: "metadata", "labels"] = target[path: "metadata", "labels"]
            var annotations = target[path: "metadata", "annotations"]?.objectValue ?? [:]
            annotations.removeValue(forKey: CacheTransform.lastAppliedAnnotation)
            annotations = annotations.filter { !$0.key.containsBytes("toolkit.fluxcd.io") }
            copy[path: "metadata", "annotations"] = annotations.isEmpty ? nil : .object(annotations)
        }
        return copy
    }

    /// `annotations`, with the copy's own Serin annotations kept.
    private static func withOwnAnnotations(_ annotations: JSONValue?, live: JSONValue?) -> JSONValue {
        var result = annotations?.objectValue ?? [:]
        for (key, value) in live?[path: "metadata", "annotations"]?.objectValue ?? [:]
        where key.hasPrefix("serin.dev/") || key.containsBytes("toolkit.fluxcd.io") {
            result[key] = value
        }
        return .object(result)
    }

    /// The ports, each with the node port the live port of the same name (or position) has.
    private static func withNodePorts(_ ports: JSONValue?, from live: JSONValue?) -> JSONValue? {
        guard let ports = ports?.arrayValue else { return ports }
        let live = live?.arrayValue ?? []
        return .array(
            ports.enumerated().map { index, port in
                var port = port
                let match = live.first { $0["name"] != nil && $0["name"] == port["name"] } ?? (index < live.count ? live[index] : nil)
                if let nodePort = match?["nodePort"] { port["nodePort"] = nodePort }
                return port
            })
    }
}
