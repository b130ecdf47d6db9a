import CanaryAPI
import Foundation
import NIOHTTP1
import OutboundHTTP

/// Graphite's render API (`GET /render?<query>&format=json`), as Flagger's `graphite` provider queries
/// it: the query is the render call's own parameters (`target=…&from=-2min`), whitespace collapsed; Basic
/// auth from the Secret's `username` and `password`; the last non-null point of any target is the value. As a
/// series (compared metrics) the query's `from` and `until` give way to the comparison's window in Unix
/// seconds, and the answer is the non-null points of its one target; the step is the target's own (its
/// storage schema, or `summarize(…, '{{ interval }}', 'avg')`).
public struct GraphiteProvider: MetricProvider {
    public static let registration = MetricProviderRegistration(type: .graphite, address: .required, series: true) {
        config throws(MetricError) in try GraphiteProvider(config: config)
    }

    let config: MetricProviderConfig
    let authorization: String?

    public init(config: MetricProviderConfig) throws(MetricError) {
        guard let url = URL(string: config.address), url.scheme != nil, url.host != nil else {
            throw MetricError.configuration("graphite address \(config.address) is not a valid URL")
        }
        self.config = config
        if config.secret != nil {
            let user = try config.credential("username", of: .graphite)
            let password = try config.credential("password", of: .graphite)
            authorization = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        } else {
            authorization = nil
        }
    }

    /// The render call's URL for `query`: its parameters decoded as a form, `format=json` set, `replacing`
    /// the query's own parameters of those names, sorted by name (Go's `url.Values.Encode`, as Flagger sends them).
    func url(for query: String, replacing: [(String, String)] = []) -> String {
        let collapsed = query.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        var pairs: [(String, String)] = collapsed.split(separator: "&").compactMap { field in
            let parts = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return parts.isEmpty ? nil : (decoded(parts[0]), parts.count > 1 ? decoded(parts[1]) : "")
        }
        let set = [("format", "json")] + replacing
        pairs.removeAll { pair in set.contains { $0.0 == pair.0 } }
        pairs += set
        let sorted = pairs.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element)
        return "\(config.baseAddress)/render?\(formQuery(sorted))"
    }

    public func query(_ query: String) async throws(MetricError) -> Double {
        try GraphiteProvider.value(from: try await render(url(for: query)), api: config.api(.graphite))
    }

    /// The render call over `window` ending at the clock's date (`from` and `until` in Unix seconds, in place
    /// of the query's); `resolution` is not sent, the render API has no step parameter.
    public func series(_ query: String, window: Duration, resolution: Duration) async throws(MetricError) -> [Double] {
        let span = try config.window(window, perSecond: 1)
        let body = try await render(url(for: query, replacing: [("from", "\(span.from)"), ("until", "\(span.to)")]))
        return try GraphiteProvider.series(from: body, api: config.api(.graphite))
    }

    /// `GET` of a render URL with the provider's headers.
    private func render(_ url: String) async throws(MetricError) -> [UInt8] {
        var headers = [("Accept", "application/json")]
        if let authorization { headers.append(("Authorization", authorization)) }
        return try await config.api(.graphite).send(.GET, url, headers: headers, accepting: { $0 < 400 })
    }

    /// `target=test` answers, with values or without.
    public func isOnline() async -> Bool {
        do {
            _ = try await query("target=test")
            return true
        } catch {
            return error.kind == .noValues
        }
    }

    /// The last non-null point over every target. A point is `[value, timestamp]`; Graphite writes a
    /// value as a number, `null`, or (some versions) a numeric string, and graphite-web an infinite one as
    /// `1e9999` (``quotingOverflows(_:)``).
    static func value(from body: [UInt8], api: VendorAPI) throws(MetricError) -> Double {
        let targets = try api.decode([Target].self, from: quotingOverflows(body))
        let last = targets.lazy.flatMap { $0.datapoints ?? [] }.compactMap { $0.first?.number }.last
        guard let last else { throw MetricError.noValues }
        guard last.isFinite else { throw MetricError.notFinite("\(last)") }
        return last
    }

    /// The non-null points of the answer's one target, oldest first (as Graphite lists them); several
    /// targets are ``MetricError/multipleValues`` (the single value's "last of any target" is no series).
    static func series(from body: [UInt8], api: VendorAPI) throws(MetricError) -> [Double] {
        let targets = try api.decode([Target].self, from: quotingOverflows(body))
        guard targets.count <= 1 else { throw MetricError.multipleValues }
        return try SeriesPoints.finish((targets.first?.datapoints ?? []).lazy.map { $0.first?.number })
    }

    /// graphite-web writes an infinite value as the number `1e9999` (`-1e9999`), which no JSON decoder reads
    /// as a `Double`: the whole answer would fail, even when the last point is finite. This turns each number
    /// too large for a `Double`, outside strings, into the string `"inf"` (`"-inf"`), which ``PointValue``
    /// reads as a numeric string, so the value is the last point as ever, and an infinite one is "not finite".
    static func quotingOverflows(_ body: [UInt8]) -> [UInt8] {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        let numeral = Set("+-.0123456789eE".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(body.count)
        var index = 0
        var inString = false
        while index < body.count {
            let byte = body[index]
            if inString || byte == quote {
                let escaped = inString && byte == backslash && index + 1 < body.count
                output += body[index...(escaped ? index + 1 : index)]
                if byte == quote { inString.toggle() }  // an escaped quote went with its backslash
                index += escaped ? 2 : 1
            } else if byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                var end = index + 1
                while end < body.count, numeral.contains(body[end]) { end += 1 }
                let literal = body[index..<end]
                if let number = Double(String(decoding: literal, as: UTF8.self)), number.isInfinite {
                    output += Array((number < 0 ? #""-inf""# : #""inf""#).utf8)
                } else {
                    output += literal
                }
                index = end
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output
    }

    struct Target: Decodable {
        var target: String?
        var datapoints: [[PointValue]]?
    }

    enum PointValue: Decodable {
        case number(Double), string(String), null

        /// The value as a number: a numeric string read as one, `nil` for null or any other string.
        var number: Double? {
            switch self {
            case .number(let number): number
            case .string(let text): Double(text)
            case .null: nil
            }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if let number = try? container.decode(Double.self) {
                self = .number(number)
            } else {
                self = .string(try container.decode(String.self))
            }
        }
    }
}
