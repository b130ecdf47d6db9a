import KubeCore

/// `kubectl serin override NAME --reason "…"`: lets one Canary release during its policies' freeze windows, with
/// who asked and why recorded (the annotation `serin.dev/freeze-override`, `{"by": …, "reason": …, "at": …}`,
/// written as `kubectl-serin`; removed by `kubectl serin override NAME --remove`).
public enum FreezeOverride {
    public static let annotation = "serin.dev/freeze-override"

    /// Who overrode the freeze and why (sanitized and bounded), `nil` without an override or a reason.
    public static func find(in annotations: [String: String]?) -> (by: String, reason: String)? {
        guard let text = annotations?[annotation], text.utf8.count <= ControlRequest.maximumBytes,
            let value = try? JSONValue(parsing: text), let reason = value["reason"]?.stringValue, !reason.isEmpty
        else { return nil }
        return (
            ControlRequest.sanitized(value["by"]?.stringValue ?? "someone", limit: ControlRequest.maximumFieldLength),
            ControlRequest.sanitized(reason, limit: 200)
        )
    }
}
