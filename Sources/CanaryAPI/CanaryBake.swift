import KubeCore

/// Serin: `spec.analysis.bake` — after the promotion, the new primary is analysed at full traffic for
/// `duration` (phase `Finalising`, condition `Baking`); `threshold` failed checks give the primary back the
/// last good version. The bake's end is the rollout's `Succeeded`.
public struct CanaryBake: Codable, Sendable, Equatable {
    /// How long the bake lasts (a Go duration: `30m`).
    public var duration: String
    /// How often the bake checks its metrics; the analysis's `interval` when unset.
    public var interval: String?
    /// The bake's checks; the analysis's `metrics` when unset. Compared metrics keep only their absolute
    /// bounds: during the bake there is no canary to compare.
    public var metrics: [CanaryMetric]?
    /// Keep the previous version running as `<target>-previous` (the primary's size, routed at weight 0) for
    /// the bake, so that a rollback is one route change.
    public var keepPrevious: Bool?

    public init(duration: String, interval: String? = nil, metrics: [CanaryMetric]? = nil, keepPrevious: Bool? = nil) {
        self.duration = duration
        self.interval = interval
        self.metrics = metrics
        self.keepPrevious = keepPrevious
    }
}

extension Canary {
    /// The bake's length, `nil` without a bake (or an unreadable duration: validation names it).
    public var bakeDuration: Duration? {
        guard let text = spec.analysis?.bake?.duration, let duration = try? GoDuration(parsing: text).duration, duration > .zero else { return nil }
        return duration
    }

    /// Whether promotions of this Canary are followed by a bake: a readable, positive `analysis.bake.duration`
    /// and an analysis that is not skipped.
    public var bakes: Bool { bakeDuration != nil && !skipsAnalysis }

    /// Whether a bake keeps the previous version running (`analysis.bake.keepPrevious`).
    public var keepsPrevious: Bool { bakes && spec.analysis?.bake?.keepPrevious == true }

    /// Whether the Canary is baking now: `Finalising` with `status.bakeStarted` set.
    public var isBaking: Bool { status?.phase == .finalising && status?.bakeStarted != nil }

    /// The metrics the bake checks: `bake.metrics`, else the analysis's; each without `compare` (there is no
    /// canary to compare during the bake), and those judged only by comparison left out.
    public var bakeMetrics: [CanaryMetric] {
        (spec.analysis?.bake?.metrics ?? spec.analysis?.metrics ?? []).compactMap { metric in
            guard metric.compare != nil else { return metric }
            guard metric.threshold != nil || metric.thresholdRange != nil else { return nil }
            var absolute = metric
            absolute.compare = nil
            return absolute
        }
    }

    /// `<target>-previous`: the previous version kept running during a bake (`bake.keepPrevious`).
    public var previousName: String { "\(targetName)-previous" }

    /// `<service>-previous`: the previous version's Service.
    public var previousServiceName: String { "\(serviceName)-previous" }
}
