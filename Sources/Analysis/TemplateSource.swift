import CanaryAPI
import MetricProviders

/// A metric template ready to be queried: the template, its provider type and settings (secret read).
struct TemplateSource: Sendable {
    /// `<name>.<namespace>`, as failures name it.
    var reference: String
    var template: MetricTemplate
    var type: MetricProviderType
    var config: MetricProviderConfig

    /// A failure about this template, in Flagger's words.
    func failure(_ message: String) -> TemplateFailure { TemplateFailure(message: "Metric template \(reference) \(message)") }
}

/// Why a metric template cannot be used, in Flagger's words ("Metric template <name>.<namespace> …").
struct TemplateFailure: Error, Sendable {
    var message: String
}
