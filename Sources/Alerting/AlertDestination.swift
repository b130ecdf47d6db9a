import CanaryAPI
import CanaryCore

/// Where one alert goes: a global provider from the operator's flags, or an AlertProvider a Canary's
/// `analysis.alerts` names.
enum AlertDestination: Hashable, Sendable, CustomStringConvertible {
    /// The global provider of this type (`--slack-url`, `--wecom-url`…).
    case global(AlertProviderType)
    case provider(namespace: String, name: String)

    var description: String {
        switch self {
        case .global(let type): "the global \(type) provider"
        case .provider(let namespace, let name): "AlertProvider \(namespace)/\(name)"
        }
    }

    /// The `provider` label of `serin_alerts_total`.
    var metricLabel: String {
        switch self {
        case .global(let type): "global/\(type)"
        case .provider(let namespace, let name): "\(namespace)/\(name)"
        }
    }

    /// Flagger's routing: a Canary without `analysis.alerts` alerts through the global providers; one with
    /// them through each entry whose severity receives `severity` (``CanaryAlerts/receives(_:_:)``), the
    /// provider in `providerRef.namespace` when set, else the Canary's. Pure.
    static func destinations(of canary: Canary, severity: CanaryAlerts.Severity, globals: [AlertProviderType]) -> [AlertDestination] {
        guard let entries = canary.spec.analysis?.alerts, !entries.isEmpty else { return globals.map { .global($0) } }
        var destinations: [AlertDestination] = []
        for entry in entries where CanaryAlerts.receives(entry.severity, severity) {
            guard let reference = entry.providerRef, !reference.name.isEmpty else { continue }
            let destination = AlertDestination.provider(
                namespace: reference.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? canary.namespace,
                name: reference.name)
            if !destinations.contains(destination) { destinations.append(destination) }
        }
        return destinations
    }
}
