import Foundation
import Synchronization

/// Gauges with a label set per Canary (`flagger_canary_status`, `flagger_canary_weight`,
/// `flagger_canary_metric_analysis`), kept apart from the Prometheus registry and written in its text format.
///
/// The registry copies a metric's whole family each time a label set is added, so a fleet of 10,000
/// Canaries starting up spent a quarter of the operator's CPU copying dictionaries; here adding one is O(1).
final class GaugeFamilies: Sendable {
    private struct Family {
        var help: String
        var values: [[String]: Double] = [:]
        var labelNames: [String]
    }

    private let families = Mutex<[String: Family]>([:])
    /// The order families are written in: first registered first.
    private let order = Mutex<[String]>([])

    /// Sets the gauge `name{labels}` to `value`.
    func set(_ name: String, help: String, labels: [(String, String)], _ value: Double) {
        let names = labels.map(\.0)
        let isNew = families.withLock { families -> Bool in
            let isNew = families[name] == nil
            families[name, default: Family(help: help, labelNames: names)].values[labels.map(\.1)] = value
            return isNew
        }
        if isNew { order.withLock { $0.append(name) } }
    }

    /// The value of `name{labels}`, if it was set.
    func value(_ name: String, labels: [String]) -> Double? { families.withLock { $0[name]?.values[labels] } }

    /// Every family in Prometheus' text exposition format (label sets sorted, so the output is stable).
    func exposition() -> String {
        let names = order.withLock { $0 }
        let snapshot = families.withLock { $0 }
        var text = ""
        for name in names {
            guard let family = snapshot[name] else { continue }
            text += "# HELP \(name) \(family.help)\n# TYPE \(name) gauge\n"
            for (labels, value) in family.values.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
                let pairs = zip(family.labelNames, labels).map { "\($0)=\"\(Self.escaped($1))\"" }.joined(separator: ",")
                text += "\(name){\(pairs)} \(Self.format(value))\n"
            }
        }
        return text
    }

    /// A label value as the text format wants it: backslash, double quote and newline escaped.
    static func escaped(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }
}
