import CanaryAPI
import CanaryCore
import Foundation
import KubeCore
import MetricProviders

extension MetricAnalysis {
    /// A compared metric's query as series for the reference and the canary, judged by the rank-sum test.
    func series(
        _ metric: CanaryMetric, _ compare: MetricComparison, canary: Canary, queries: BuiltinQueries, reference: String, rule: Comparison.Rule
    ) async -> Result<Comparison, MetricError> {
        let (full, resolution) = MetricAnalysis.window(metric, compare)
        let window = MetricAnalysis.since(canary.status?.analysisStarted, now: clock.date, window: full)
        var values = MetricAnalysis.placeholderValues(canary, metric: metric)
        values["interval"] = MetricAnalysis.promQLDuration(resolution)
        let source: (query: String, type: MetricProviderType, config: MetricProviderConfig, builtin: Bool, scale: Double)
        let prometheus = prometheusConfig(canary, metric: metric)
        if let reference = metric.templateRef {
            switch await templateSource(metric, reference: reference, canary: canary) {
            case .success(let found): source = (found.template.spec.query, found.type, found.config, false, 1)
            case .failure(let failure): return .failure(.configuration(failure.message))
            }
        } else if let query = metric.query {
            source = (query, .prometheus, prometheus, false, 1)
        } else if let query = queries.query(for: metric.name) {
            source = (query, .prometheus, prometheus, true, metric.name == "request-duration" ? queries.durationToMilliseconds : 1)
        } else {
            return .failure(.configuration("no usable metrics template and query were configured"))
        }
        let provider: any MetricProvider
        do { provider = try MetricProviderRegistry.make(source.type, source.config) } catch { return .failure(error) }
        var samples: [[Double]] = []
        for workload in [reference, canary.targetName] {
            var rendered = values
            rendered["variant"] = workload
            if source.builtin { rendered["target"] = workload }
            if source.builtin, queries.wordCharactersOnly { rendered = MetricAnalysis.wordCharactersOnly(rendered) }
            do {
                let query = try QueryTemplate(values: rendered, variables: metric.templateVariables ?? [:]).render(source.query)
                TaskLocalQuery.sink?.record(query)
                samples.append(try await provider.series(query, window: window, resolution: resolution).map { $0 * source.scale })
            } catch  where error.kind == .noValues {
                samples.append([])
            } catch {
                return .failure(error)
            }
        }
        return .success(MetricAnalysis.early(Comparison(baseline: samples[0], canary: samples[1], rule: rule), window: window, full: full))
    }

    /// A comparison made while the analysis is younger than the window: no values yet on a side is too few to
    /// tell (`inconclusive`), not missing data. Pure.
    static func early(_ comparison: Comparison, window: Duration, full: Duration) -> Comparison {
        guard comparison.classification == .nodata, window < full else { return comparison }
        var early = comparison
        (early.classification, early.reason) = (.inconclusive, "\(comparison.reason) yet, \(GoDuration(window)) into the analysis")
        return early
    }

    /// The part of a `window` ending `now` that falls after the analysis started (`status.analysisStarted`): the
    /// previous revision's canary and baseline, under the same names, are not this one. Pure.
    static func since(_ started: String?, now: Date, window: Duration) -> Duration {
        guard let started = started.flatMap(KubeTime.init(rfc3339:))?.date else { return window }
        let elapsed = Duration.clampedSeconds(max(now.timeIntervalSince(started), 0))
        return min(window, elapsed)
    }

    /// The rule as the journal's threshold column shows it: `compare increase <= +5.0% (99%)`. Pure.
    static func describe(_ rule: Comparison.Rule) -> String {
        let confidence = String(format: "%g%%", rule.confidence * 100)
        switch rule.direction {
        case .increase: return "compare: increase <= \(Comparison.percent(rule.maxIncrease)) (\(confidence))"
        case .decrease: return "compare: decrease <= \(Comparison.percent(-rule.maxDecrease)) (\(confidence))"
        case .either: return "compare: within \(Comparison.percent(-rule.maxDecrease))..\(Comparison.percent(rule.maxIncrease)) (\(confidence))"
        }
    }

    /// A comparison as the journal keeps it. Pure.
    static func journaled(_ comparison: Comparison, against: String, rule: Comparison.Rule, compare: MetricComparison) -> JournalEntry.Comparison {
        var entry = JournalEntry.Comparison(
            against: against, classification: comparison.classification.rawValue, baselineCount: comparison.baselineCount,
            canaryCount: comparison.canaryCount, reason: comparison.reason)
        // JSON has no NaN or infinity: a number that is not finite is left out.
        func finite(_ value: Double?) -> Double? { value.flatMap { $0.isFinite ? $0 : nil } }
        entry.baselineMedian = finite(comparison.baselineMedian)
        entry.canaryMedian = finite(comparison.canaryMedian)
        (entry.shift, entry.shiftLow, entry.shiftHigh) = (
            finite(comparison.shift?.estimate), finite(comparison.shift?.low), finite(comparison.shift?.high)
        )
        (entry.relativeShift, entry.relativeLow, entry.relativeHigh) =
            (finite(comparison.relativeShift?.estimate), finite(comparison.relativeShift?.low), finite(comparison.relativeShift?.high))
        entry.p = finite(comparison.p)
        entry.confidence = rule.confidence
        entry.weight = compare.weight ?? MetricComparison.Defaults.weight
        entry.critical = compare.critical == true ? true : nil
        return entry
    }
}
