import CanaryAPI
import Foundation
import KubeCore
import MetricProviders

/// Judges one metric's outcome against its thresholds and words a failure as Flagger does.
///
/// Pure: no IO, no clock. ``MetricAnalysis`` queries, this decides.
public enum MetricJudge {
    /// The verdict on one metric: `failure` is `nil` when it passes; `value` is what the analysis gauge
    /// records (`request-duration` in seconds), `nil` when there was no value.
    public struct Verdict: Sendable, Equatable {
        public var failure: String?
        public var value: Double?
        /// The query answered no values (or too few requests): ``applying(_:to:canary:)`` decides what that
        /// means under the metric's `noData`.
        public var noData = false
        /// Under `noData: hold`: why the step waits.
        public var hold: String?

        public init(failure: String?, value: Double?, noData: Bool = false) {
            self.failure = failure
            self.value = value
            self.noData = noData
        }
    }

    /// A no-data verdict under the metric's policy: `fail` keeps the failure (Flagger), `skip` passes
    /// without a value, `hold` turns the failure into a hold. Pure.
    public static func applying(_ policy: CanaryMetric.NoDataPolicy, to verdict: Verdict, metric: String, canary: Canary) -> Verdict {
        guard verdict.noData, let failure = verdict.failure else { return verdict }
        switch policy {
        case .fail: return verdict
        case .skip:
            return Verdict(failure: nil, value: nil, noData: true)
        case .hold:
            var held = Verdict(failure: nil, value: nil, noData: true)
            held.hold = "Halt \(canary.dottedName) advancement: \(metric) has no data, holding (noData: hold): \(failure)"
            return held
        }
    }

    /// Too few requests for a built-in metric to be judged (`minRequests`): no data.
    public static func tooFewRequests(_ metric: CanaryMetric, canary: Canary, count: Double, interval: String) -> Verdict {
        Verdict(
            failure:
                "Halt \(canary.dottedName) advancement \(metric.name): \(goNumber(count.rounded(.down))) requests in \(interval), fewer than minRequests \(metric.minRequests ?? 0)",
            value: nil, noData: true)
    }

    /// A built-in metric (`request-success-rate` or `request-duration`) over `mesh`'s telemetry.
    ///
    /// - Parameter durationToMilliseconds: what turns the duration query's answer into milliseconds.
    public static func builtin(
        _ metric: CanaryMetric, canary: Canary, mesh: String, outcome: Result<Double, MetricError>,
        durationToMilliseconds: Double = 1
    ) -> Verdict {
        let isRate = metric.name == "request-success-rate"
        let value: Double
        switch outcome {
        case .success(let answer): value = isRate ? answer : answer * durationToMilliseconds
        case .failure(let error) where error.kind == .noValues:
            let base = "Halt advancement no values found for \(mesh) metric \(metric.name) probably \(canary.dottedName) is not receiving traffic"
            return Verdict(failure: isRate ? "\(base): \(error)" : base, value: nil, noData: true)
        case .failure(let error) where error.kind == .notFinite:
            return Verdict(failure: "Halt \(canary.dottedName) advancement \(metric.name): \(error)", value: nil)
        case .failure(let error):
            return Verdict(failure: "Prometheus query failed: \(error)", value: nil)
        }
        if isRate, !(0...100).contains(value) {
            return Verdict(
                failure: "Halt \(canary.dottedName) advancement request-success-rate: the query returned \(value), not a percentage (0-100)",
                value: nil)
        }
        let range = metric.thresholdRange ?? ThresholdRange(min: isRate ? metric.threshold : nil, max: isRate ? nil : metric.threshold)
        if isRate {
            let rate = String(format: "%.2f", value)
            if let min = range.min, value < min {
                return Verdict(failure: "Halt \(canary.dottedName) advancement success rate \(rate)% < \(goNumber(min))%", value: value)
            }
            if let max = range.max, value > max {
                return Verdict(failure: "Halt \(canary.dottedName) advancement success rate \(rate)% > \(goNumber(max))%", value: value)
            }
            return Verdict(failure: nil, value: value)
        }
        let milliseconds = value.rounded(.down)
        let recorded = value / 1000
        if let max = range.max, milliseconds > max {
            return Verdict(
                failure: "Halt \(canary.dottedName) advancement request duration \(goDuration(milliseconds)) > \(goDuration(max))", value: recorded)
        }
        if let min = range.min, milliseconds < min {
            return Verdict(
                failure: "Halt \(canary.dottedName) advancement request duration \(goDuration(milliseconds)) < \(goDuration(min))", value: recorded)
        }
        return Verdict(failure: nil, value: recorded)
    }

    /// An inline `query` or a MetricTemplate's query.
    public static func custom(_ metric: CanaryMetric, canary: Canary, outcome: Result<Double, MetricError>) -> Verdict {
        let value: Double
        switch outcome {
        case .success(let answer): value = answer
        case .failure(let error) where error.kind == .noValues:
            return Verdict(failure: "Halt advancement no values found for custom metric: \(metric.name): \(error)", value: nil, noData: true)
        case .failure(let error) where error.kind == .notFinite:
            return Verdict(failure: "Halt \(canary.dottedName) advancement \(metric.name): \(error)", value: nil)
        case .failure(let error) where error.kind == .render:
            return Verdict(failure: "Metric template query render error for \(metric.name): \(error)", value: nil)
        case .failure(let error):
            return Verdict(failure: "Metric query failed for \(metric.name): \(error)", value: nil)
        }
        let range = metric.thresholdRange ?? ThresholdRange(max: metric.threshold)
        let shown = String(format: "%.2f", value)
        if let min = range.min, value < min {
            return Verdict(failure: "Halt \(canary.dottedName) advancement \(metric.name) \(shown) < \(goNumber(min))", value: value)
        }
        if let max = range.max, value > max {
            return Verdict(failure: "Halt \(canary.dottedName) advancement \(metric.name) \(shown) > \(goNumber(max))", value: value)
        }
        return Verdict(failure: nil, value: value)
    }
}

/// A number as Go's `%v` prints a float64: `99`, `99.5`.
func goNumber(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
}

/// Milliseconds as Go prints a `time.Duration`: `500ms`, `1.5s`.
func goDuration(_ milliseconds: Double) -> String {
    GoDuration(.clampedSeconds(milliseconds / 1000)).description
}
