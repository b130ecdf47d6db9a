import KubeCore

/// The answer of Prometheus' instant query API (`GET /api/v1/query`), reduced to the one value a metric
/// check judges. Pure: no IO, so it can be fuzzed on its own.
///
/// One value is expected: the last series of a vector wins (as in Flagger); a matrix is "multiple values",
/// an empty result or NaN is "no values", `±Inf` is not a value a threshold can judge.
public enum PrometheusAnswer {
    /// Why an answer gives no value.
    public enum Problem: Error, Sendable, Equatable {
        case notJSON(String)
        /// `status` is not `success`: the server's `error`.
        case failed(String)
        case multipleValues
        case noValues
        /// `+Inf`, `-Inf`: the text of the value.
        case notFinite(String)
    }

    /// The single finite value of an answer.
    public static func value(from body: [UInt8]) throws(Problem) -> Double {
        let json: JSONValue
        do { json = try JSONValue(parsing: body) } catch { throw .notJSON("\(error)") }
        guard json["status"]?.stringValue == "success" else { throw .failed(json["error"]?.stringValue ?? "the query failed") }
        if json[path: "data", "resultType"]?.stringValue == "matrix" { throw .multipleValues }
        let results = json[path: "data", "result"]?.arrayValue ?? []
        guard let last = results.last, let text = last["value"]?[1]?.stringValue, let value = Double(text), !value.isNaN else {
            throw .noValues
        }
        guard value.isFinite else { throw .notFinite(text) }
        return value
    }

    /// The values of a range query's answer (`resultType: matrix`) with exactly one series, NaN points
    /// dropped: no series (or no number) is "no values", several are "multiple values".
    public static func series(from body: [UInt8]) throws(Problem) -> [Double] {
        let json: JSONValue
        do { json = try JSONValue(parsing: body) } catch { throw .notJSON("\(error)") }
        guard json["status"]?.stringValue == "success" else { throw .failed(json["error"]?.stringValue ?? "the query failed") }
        let results = json[path: "data", "result"]?.arrayValue ?? []
        guard results.count <= 1 else { throw .multipleValues }
        let values = (results.first?["values"]?.arrayValue ?? []).compactMap { $0[1]?.stringValue.flatMap(Double.init) }.filter { !$0.isNaN }
        guard !values.isEmpty else { throw .noValues }
        return values
    }
}
