import CanaryAPI
import CanaryCore
import Foundation
import KubeCore
import MetricProviders

/// Compared metrics (`metrics[].compare`): the canary's series against the baseline's (or the primary's), judged by
/// ``Comparison``. Built-in metrics render `{{ target }}` as each side's workload, every query `{{ variant }}`; the
/// built-in success rate is compared as error counts where the router can count requests.
extension MetricAnalysis {
    /// One compared metric's outcome: its journal record and, unless its data was missing, how the score sees it.
    struct Compared: Sendable {
        var record: JournalEntry.Metric
        var judged: StepVerdict.Judged?
        var failure: String?
        var hold: String?
    }

    /// Compared built-in metrics the router's telemetry cannot split by workload (its query has no
    /// `{{ target }}`): comparing them would hold the canary against itself. Pure.
    static func comparisonIssues(_ canary: Canary, queries: BuiltinQueries) -> [ValidationIssue] {
        (canary.spec.analysis?.metrics ?? []).enumerated().compactMap { index, metric in
            guard metric.compare != nil, metric.query == nil, metric.templateRef == nil, let query = queries.query(for: metric.name),
                !QueryTemplate.uses("target", in: query)
            else { return nil }
            return ValidationIssue(
                field: "spec.analysis.metrics[\(index)].compare",
                message:
                    "the \(canary.spec.provider ?? "istio") router's built-in \(metric.name) cannot tell the canary's workload from the baseline's: compare a MetricTemplate that selects {{ variant }} instead"
            )
        }
    }

    /// Built-in metrics of a bake whose query cannot select the primary's workload (no `{{ target }}`: the
    /// router measures the canary's route, which has no traffic during the bake). Pure.
    static func bakeIssues(_ canary: Canary, queries: BuiltinQueries) -> [ValidationIssue] {
        guard canary.spec.analysis?.bake != nil else { return [] }
        let metrics =
            canary.spec.analysis?.bake?.metrics.map { ($0, "spec.analysis.bake.metrics") } ?? (
                canary.spec.analysis?.metrics ?? [], "spec.analysis.metrics"
            )
        return metrics.0.enumerated().compactMap { index, metric in
            guard metric.query == nil, metric.templateRef == nil, let query = queries.query(for: metric.name),
                !QueryTemplate.uses("target", in: query)
            else { return nil }
            return ValidationIssue(
                field: "\(metrics.1)[\(index)]",
                message:
                    "the \(canary.spec.provider ?? "istio") router's built-in \(metric.name) measures the canary's route, which has no traffic during the bake (spec.analysis.bake): use a MetricTemplate that selects {{ target }} (the primary during the bake)"
            )
        }
    }

    /// What the canary is held against: `<target>-baseline` with a baseline, else the primary.
    static func reference(of canary: Canary) -> (workload: String, name: String) {
        canary.spec.analysis?.runsBaseline == true ? (canary.baselineName, "baseline") : (canary.primaryName, "primary")
    }

    /// The judge's rule from the metric's fields and their defaults. Pure.
    static func rule(_ compare: MetricComparison) -> Comparison.Rule {
        let defaults = MetricComparison.Defaults.self
        return Comparison.Rule(
            direction: Comparison.Rule.Direction(rawValue: compare.direction ?? defaults.direction) ?? .increase,
            maxIncrease: compare.maxIncrease ?? defaults.maxIncrease, maxDecrease: compare.maxDecrease ?? defaults.maxDecrease,
            minSamples: compare.minSamples ?? defaults.minSamples, confidence: compare.confidence ?? defaults.confidence)
    }

    /// The series' window and resolution (``MetricComparison/window(interval:)``); validation has refused a
    /// duration that cannot be read, so one here falls back to a minute. Pure.
    static func window(_ metric: CanaryMetric, _ compare: MetricComparison) -> (window: Duration, resolution: Duration) {
        guard let found = compare.window(interval: metric.interval), found.resolution > .zero else { return (.seconds(60), .seconds(6)) }
        return found
    }

    /// A duration as PromQL writes one: `2s`, or `1500ms` when it is not whole seconds. Pure.
    static func promQLDuration(_ duration: Duration) -> String {
        let milliseconds = Int64((duration.seconds * 1000).rounded())
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }

    /// Runs one compared metric for both sides and judges it; `nodata` goes through the metric's `noData`.
    func compare(_ metric: CanaryMetric, _ compare: MetricComparison, canary: Canary, mesh: MeshProvider, queries: BuiltinQueries) async -> Compared {
        let rule = MetricAnalysis.rule(compare)
        let reference = MetricAnalysis.reference(of: canary)
        let sent = QuerySink()
        let byCounts = metric.name == "request-success-rate" && metric.query == nil && metric.templateRef == nil && queries.requestCount != nil
        let result = await TaskLocalQuery.$sink.withValue(sent) { () async -> Result<Comparison, MetricError> in
            if byCounts, let count = queries.requestCount {
                return await counts(metric, canary: canary, queries: queries, count: count, reference: reference.workload, rule: rule)
            }
            return await series(metric, compare, canary: canary, queries: queries, reference: reference.workload, rule: rule)
        }
        var record = JournalEntry.Metric(
            name: metric.name, query: sent.query, value: nil, threshold: MetricAnalysis.describe(rule), passed: false, message: nil)
        record.dryRun = metric.dryRun == true ? true : nil
        let comparison: Comparison
        switch result {
        case .success(let judged): comparison = judged
        case .failure(let error) where error.kind == .noValues:
            comparison = Comparison(baseline: [], canary: [], rule: rule)
        case .failure(let error):
            let failure = "Metric query failed for \(metric.name): \(error)"
            record.message = failure
            return Compared(record: record, failure: failure)
        }
        record.value = comparison.canaryMedian
        record.comparison = MetricAnalysis.journaled(comparison, against: reference.name, rule: rule, compare: compare)
        record.comparison?.errorCounts = byCounts ? true : nil
        record.passed = comparison.classification == .pass
        record.message = comparison.classification == .pass ? nil : "\(comparison.classification.rawValue): \(comparison.reason)"
        return judged(comparison, metric: metric, compare: compare, record: record, canary: canary)
    }

    /// The outcome of a comparison under the metric's `noData` when it has no data.
    private func judged(
        _ comparison: Comparison, metric: CanaryMetric, compare: MetricComparison, record: JournalEntry.Metric, canary: Canary
    )
        -> Compared
    {
        var record = record
        guard comparison.classification == .nodata else {
            let judged = StepVerdict.Judged(
                name: metric.name, classification: comparison.classification, weight: compare.weight ?? MetricComparison.Defaults.weight,
                critical: compare.critical == true)
            return Compared(record: record, judged: judged)
        }
        let failure = "Halt advancement no values found for compared metric \(metric.name): \(comparison.reason)"
        switch metric.noDataPolicy ?? .fail {
        case .fail:
            record.message = failure
            return Compared(record: record, failure: failure)
        case .skip:
            record.message = "no data: skipped (noData: skip)"
            return Compared(record: record)
        case .hold:
            let hold = "Halt \(canary.dottedName) advancement: \(metric.name) has no data, holding (noData: hold): \(comparison.reason)"
            record.message = hold
            return Compared(record: record, hold: hold)
        }
    }

    /// The built-in success rate as error counts over the metric's interval: the rate and the request count of
    /// each side, errors = requests × (100 − rate) / 100.
    private func counts(
        _ metric: CanaryMetric, canary: Canary, queries: BuiltinQueries, count: String, reference: String, rule: Comparison.Rule
    ) async -> Result<Comparison, MetricError> {
        let prometheus = prometheusConfig(canary, metric: metric)
        var sides: [(errors: Int, total: Int)] = []
        let full = MetricAnalysis.window(metric, MetricComparison()).window
        let window = max(MetricAnalysis.since(canary.status?.analysisStarted, now: clock.date, window: full), .seconds(1))
        for workload in [reference, canary.targetName] {
            var values = MetricAnalysis.placeholderValues(canary, metric: metric)
            if window < full { values["interval"] = MetricAnalysis.promQLDuration(window) }
            (values["target"], values["variant"]) = (workload, workload)
            let names = queries.wordCharactersOnly ? MetricAnalysis.wordCharactersOnly(values) : values
            let total: Double
            switch await outcome(of: count, template: QueryTemplate(values: names), type: .prometheus, config: prometheus) {
            case .success(let value): total = value
            case .failure(let error) where error.kind == .noValues: total = 0
            case .failure(let error): return .failure(error)
            }
            var rate = 100.0
            if total > 0 {
                switch await outcome(of: queries.successRate, template: QueryTemplate(values: names), type: .prometheus, config: prometheus) {
                case .success(let value): rate = min(max(value, 0), 100)
                case .failure(let error) where error.kind == .noValues: rate = 100
                case .failure(let error): return .failure(error)
                }
            }
            let requests = total.isFinite ? min(max(total.rounded(), 0), 1e12) : 0
            sides.append((Int((requests * (100 - rate) / 100).rounded()), Int(requests)))
        }
        let comparison = Comparison(
            baselineErrors: sides[0].errors, baselineTotal: sides[0].total, canaryErrors: sides[1].errors, canaryTotal: sides[1].total, rule: rule)
        return .success(MetricAnalysis.early(comparison, window: window, full: full))
    }
}
