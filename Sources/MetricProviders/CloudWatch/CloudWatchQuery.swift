import CanaryAPI
import Foundation
import KubeCore

/// A template's query as CloudWatch's `MetricDataQueries`: a JSON array whose keys Flagger's Go SDK matches
/// without regard to case (`id` is `Id`), keys it does not know dropped. Pure.
enum CloudWatchQuery {
    /// Every member name of `MetricDataQuery` and what it holds, by its lowercased name.
    static let names: [String: String] = Dictionary(
        uniqueKeysWithValues: [
            "Id", "Expression", "Label", "MetricStat", "Metric", "Namespace", "MetricName", "Dimensions", "Name", "Value",
            "Period", "Stat", "Unit", "ReturnData", "AccountId",
        ].map { ($0.lowercased(), $0) })

    static func metricDataQueries(from query: String) throws(MetricError) -> [JSONValue] {
        let parsed: JSONValue
        do { parsed = try JSONValue(parsing: query) } catch {
            throw MetricError.query("error unmarshaling query: \(error)")
        }
        guard case .array(let queries) = parsed else { throw MetricError.query("error unmarshaling query: not a JSON array of MetricDataQuery") }
        return queries.map(canonical)
    }

    /// `value` with each known key spelled as CloudWatch spells it, and unknown keys dropped.
    static func canonical(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            var result = JSONObject()
            for (key, member) in members {
                guard let name = names[key.lowercased()] else { continue }
                result[name] = canonical(member)
            }
            return .object(result)
        case .array(let items): return .array(items.map(canonical))
        default: return value
        }
    }
}
