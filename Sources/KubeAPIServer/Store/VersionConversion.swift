import KubeCore

/// How a kind served at a version other than its storage version is converted, as the API server's
/// conversion functions do: objects are stored in one version and read and written through any.
public struct VersionConversion: Sendable {
    /// The served version's object → the stored one (`current` is what is stored now, for what this version cannot express).
    public var toStorage: @Sendable (_ object: JSONValue, _ current: JSONValue?) -> JSONValue
    /// The stored object → the served version's.
    public var fromStorage: @Sendable (JSONValue) -> JSONValue

    /// `autoscaling/v1` HorizontalPodAutoscalers over `autoscaling/v2` storage: `targetCPUUtilizationPercentage`
    /// is the CPU `Utilization` resource metric; the other metrics and `behavior` are kept from what is stored.
    public static let autoscalingV1 = VersionConversion(
        toStorage: { object, current in
            var stored = object
            stored["apiVersion"] = "autoscaling/v2"
            var metrics = (current?[path: "spec", "metrics"]?.arrayValue ?? []).filter { !isCPUUtilization($0) }
            if let target = object[path: "spec", "targetCPUUtilizationPercentage"] {
                metrics.insert(
                    ["type": "Resource", "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": target]]],
                    at: 0)
            }
            stored[path: "spec", "targetCPUUtilizationPercentage"] = nil
            stored[path: "spec", "metrics"] = metrics.isEmpty ? nil : .array(metrics)
            stored[path: "spec", "behavior"] = current?[path: "spec", "behavior"]
            if let status = object["status"] {
                var converted = status
                converted["currentCPUUtilizationPercentage"] = nil
                converted["currentMetrics"] = current?[path: "status", "currentMetrics"]
                converted["conditions"] = current?[path: "status", "conditions"]
                stored["status"] = converted
            }
            return stored
        },
        fromStorage: { stored in
            var object = stored
            object["apiVersion"] = "autoscaling/v1"
            let metrics = stored[path: "spec", "metrics"]?.arrayValue ?? []
            object[path: "spec", "metrics"] = nil
            object[path: "spec", "behavior"] = nil
            object[path: "spec", "targetCPUUtilizationPercentage"] =
                metrics.first(where: isCPUUtilization)?[path: "resource", "target", "averageUtilization"]
            if stored["status"] != nil {
                let current = (stored[path: "status", "currentMetrics"]?.arrayValue ?? []).first { $0[path: "resource", "name"] == "cpu" }
                object[path: "status", "currentMetrics"] = nil
                object[path: "status", "conditions"] = nil
                object[path: "status", "currentCPUUtilizationPercentage"] = current?[path: "resource", "current", "averageUtilization"]
            }
            return object
        })

    private static func isCPUUtilization(_ metric: JSONValue) -> Bool {
        metric["type"] == "Resource" && metric[path: "resource", "name"] == "cpu"
            && metric[path: "resource", "target", "type"] == "Utilization"
    }
}
