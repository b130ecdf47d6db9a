/// A mesh's built-in metrics as PromQL templates: what `request-success-rate` and `request-duration` mean
/// for the telemetry that mesh exports. Each router carries its own (``Routers/TrafficRouter/queries``);
/// the analysis engine names no mesh.
public struct BuiltinQueries: Sendable, Equatable {
    /// The percentage of non-5xx requests to the target (0–100).
    public var successRate: String
    /// The P99 request duration.
    public var requestDuration: String
    /// What turns a `requestDuration` answer into milliseconds (1 for a histogram in ms, 1000 in seconds).
    public var durationToMilliseconds: Double
    /// How many requests the target served in the interval (for `minRequests`).
    public var requestCount: String?
    /// Whether the names the queries are rendered with (namespace, name, target, service, ingress) have every
    /// non-word character replaced by `_`, as Skipper names its routes (Flagger's `encodeModelForSkipper`).
    public var wordCharactersOnly = false

    public init(successRate: String, requestDuration: String, durationToMilliseconds: Double = 1, requestCount: String? = nil) {
        self.successRate = successRate
        self.requestDuration = requestDuration
        self.durationToMilliseconds = durationToMilliseconds
        self.requestCount = requestCount
    }

    /// The query of a built-in metric name; `nil` for any other name.
    public func query(for metric: String) -> String? {
        switch metric {
        case "request-success-rate": successRate
        case "request-duration": requestDuration
        default: nil
        }
    }
}
