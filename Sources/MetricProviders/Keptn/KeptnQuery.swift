import CanaryAPI
import Foundation

/// A `keptn` template's query: `<keptnmetric|analysis>/<namespace>/<name>/<timeframe>/<k=v;k=v>`. Pure.
enum KeptnQuery: Equatable {
    case metric(namespace: String, name: String)
    case analysis(namespace: String, definition: String, timeframe: String, arguments: [(String, String)])

    static let format = "query must be in the format <keptnmetric|analysis>/<namespace>/<resourceName>/<duration>/<arguments>"

    /// The kind is read without regard to case, as Flagger reads the whole query; the names are Kubernetes
    /// names and the arguments are kept as written (Flagger lowercases them too).
    init(parsing text: String) throws(MetricError) {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3, !parts[1].isEmpty, !parts[2].isEmpty else {
            throw MetricError.query("keptn: unexpected query format. \(Self.format)")
        }
        let namespace = parts[1].lowercased(), name = parts[2].lowercased()
        switch parts[0].lowercased() {
        case "keptnmetric", "keptnmetrics": self = .metric(namespace: namespace, name: name)
        case "analysis", "analyses":
            let timeframe = parts.count > 3 && !parts[3].isEmpty ? parts[3] : "1m"
            let arguments =
                parts.count > 4
                ? parts[4].split(separator: ";").compactMap { pair -> (String, String)? in
                    let pieces = pair.split(separator: "=", omittingEmptySubsequences: false).map(String.init)
                    return pieces.count == 2 ? (pieces[0], pieces[1]) : nil
                } : []
            self = .analysis(namespace: namespace, definition: name, timeframe: timeframe, arguments: arguments)
        default:
            throw MetricError.query("keptn: unexpected resource kind provided in the query. must be one of: ['keptnmetric', 'analysis']")
        }
    }

    static func == (lhs: KeptnQuery, rhs: KeptnQuery) -> Bool {
        switch (lhs, rhs) {
        case (.metric(let a, let b), .metric(let c, let d)): return a == c && b == d
        case (.analysis(let a, let b, let c, let d), .analysis(let e, let f, let g, let h)):
            return a == e && b == f && c == g && d.map { "\($0.0)=\($0.1)" } == h.map { "\($0.0)=\($0.1)" }
        default: return false
        }
    }
}
