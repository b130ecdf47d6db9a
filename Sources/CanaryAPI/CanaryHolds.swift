import KubeCore

/// What holds a Canary besides its analysis, as `kubectl serin get` and the dashboard show it: a pause, a
/// pending request, `suspend`, a bake, a rollout slot held or waited for, a freeze or a stopped line
/// (``RolloutPolicy``), or the Canaries it depends on. Pure.
public enum CanaryHolds {
    public static func of(_ canary: JSONValue) -> [String] {
        let annotations = DynamicObject(json: canary).metadata.annotations
        var holds: [String] = []
        if let by = ControlRequest.pausedBy(annotations) { holds.append("paused by \(by)") }
        if case .request(let request) = ControlRequest.find(in: annotations) { holds.append("\(request.action.rawValue) requested") }
        if canary[path: "spec", "suspend"]?.boolValue == true { holds.append("suspended") }
        if canary[path: "status", "phase"] == "Finalising", canary[path: "status", "bakeStarted"] != nil { holds.append("baking") }
        let slot = (canary[path: "status", "conditions"]?.arrayValue ?? []).first { $0["type"] == "RolloutSlot" }
        // A wait for a slot (or a frozen or stopped line) says why; a slot held says whose.
        if ["Waiting", "Frozen", "Stopped", "DependsOn", "Held"].contains(slot?["reason"]?.stringValue ?? ""),
            let message = slot?["message"]?.stringValue
        {
            holds.append(message)
        }
        return holds
    }
}
