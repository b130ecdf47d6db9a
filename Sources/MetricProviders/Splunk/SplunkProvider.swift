import CanaryAPI
import Foundation
import KubeCore
import NIOHTTP1
import OutboundHTTP

/// Splunk Observability (SignalFx), as Flagger's `splunk` provider queries it: a SignalFlow program run over
/// the realm's WebSocket stream (`wss://stream.<realm>.signalfx.com/v2/signalflow/connect`), authenticated
/// with the Secret's `sf_token_key`, executed on channel `ch-1` over ten metric intervals back from now with
/// `immediate: true`; the value is the last non-null point, and points of more than one series are refused.
/// `provider.address` is the realm's API (`https://api.<realm>.signalfx.com`) or its stream address.
/// As a series (compared metrics) the program runs over the comparison's window with `resolution` in
/// milliseconds (SignalFlow's minimum data resolution), and the answer is every non-null point of its one
/// series, in the order the data messages arrive.
public struct SplunkProvider: MetricProvider {
    public static let registration = MetricProviderRegistration(type: .splunk, address: .required, series: true) {
        config throws(MetricError) in try SplunkProvider(config: config)
    }

    /// The longest a whole computation may take: connecting, authenticating and the stream to its end.
    static let timeout: Duration = .seconds(10)

    let config: MetricProviderConfig
    let token: String
    let stream: String
    let validation: String

    public init(config: MetricProviderConfig) throws(MetricError) {
        guard !config.address.isEmpty else { throw MetricError.configuration("splunk endpoint is not set") }
        self.config = config
        token = try config.credential("sf_token_key", of: .splunk)
        (stream, validation) = try SplunkProvider.endpoints(of: config.baseAddress)
        _ = try config.parsedInterval()
    }

    /// The stream and the validation URLs of an address: `http(s)` becomes `ws(s)` and a host `api.…` becomes
    /// `stream.…` for the stream, and the reverse for the validation. Pure.
    static func endpoints(of address: String) throws(MetricError) -> (stream: String, validation: String) {
        guard let parsed = URLComponents(string: address), let scheme = parsed.scheme, let host = parsed.host, !host.isEmpty,
            ["http", "https", "ws", "wss"].contains(scheme)
        else { throw MetricError.configuration("splunk: the address \(Redaction.url(address)) is not an http(s) or ws(s) URL") }
        let secure = scheme.hasSuffix("s")
        func relabel(_ from: String, _ to: String) -> String {
            host.hasPrefix("\(from).") ? to + host.dropFirst(from.count) : host
        }
        var stream = parsed
        stream.scheme = secure ? "wss" : "ws"
        stream.host = relabel("api", "stream")
        stream.path = parsed.path + "/v2/signalflow/connect"
        var validation = parsed
        validation.scheme = secure ? "https" : "http"
        validation.host = relabel("stream", "api")
        validation.path = parsed.path + "/v2/metric"
        validation.query = "limit=1"
        return (stream.string ?? address, validation.string ?? address)
    }

    public func query(_ query: String) async throws(MetricError) -> Double {
        try SplunkProvider.value(of: try await execute(query, over: try config.window(intervals: 10, perSecond: 1000), resolution: 0))
    }

    /// The program over `window` ending at the clock's date, at `resolution` (both in milliseconds).
    public func series(_ query: String, window: Duration, resolution: Duration) async throws(MetricError) -> [Double] {
        let step = SeriesPoints.count(resolution, perSecond: 1000)
        return try SplunkProvider.series(of: try await execute(query, over: try config.window(window, perSecond: 1000), resolution: step))
    }

    /// Runs the program on channel `ch-1` over a window in Unix milliseconds and reads the stream to its end.
    private func execute(_ query: String, over window: (from: Int64, to: Int64), resolution: Int64) async throws(MetricError) -> Outcome {
        let authenticate: JSONValue = ["type": "authenticate", "token": .string(token)]
        let execute: JSONValue = [
            "type": "execute", "program": .string(query), "channel": "ch-1", "start": .int(window.from), "stop": .int(window.to),
            "resolution": .int(resolution), "maxDelay": 0, "immediate": true, "timezone": "",
        ]
        let outcome: Outcome
        do {
            outcome = try await config.http.webSocket(stream, timeout: Self.timeout) { session in
                try await session.send(text: String(decoding: authenticate.serialized(), as: UTF8.self))
                try await session.send(text: String(decoding: execute.serialized(), as: UTF8.self))
                return try await SplunkProvider.collect(session)
            }
        } catch {
            throw MetricError.query("splunk: failed to query \(VendorAPI.site(of: stream)): \(config.api(.splunk).scrubbed(error.reason))")
        }
        return outcome
    }

    /// `GET /v2/metric?limit=1` with `X-SF-Token` answers 200.
    public func isOnline() async -> Bool {
        do {
            _ = try await config.api(.splunk).send(.GET, validation, headers: [("X-SF-Token", token)])
            return true
        } catch { return false }
    }

    /// How a computation ended.
    enum Outcome: Sendable, Equatable {
        case ended([SignalFlowMessage.Point])
        case aborted(String?)
        case failed(code: Int64?, type: String?, message: String?)
        case closed(code: UInt16?, reason: String)
        case malformed(MetricError)
    }

    /// Reads the stream until the channel ends, SignalFlow reports an error, or the server closes it; points
    /// beyond ``SeriesPoints/limit`` are not kept (the value is then the last kept).
    static func collect(_ session: OutboundWebSocket.Session) async throws -> Outcome {
        var points: [SignalFlowMessage.Point] = []
        while let message = try await session.receive() {
            let decoded: SignalFlowMessage
            do {
                switch message {
                case .text(let text): decoded = try SignalFlowMessage.decode(text: text)
                case .binary(let bytes): decoded = try SignalFlowMessage.decode(binary: bytes)
                }
            } catch { return .malformed(error) }
            switch decoded {
            case .data(_, let batch): points += batch.prefix(max(0, SeriesPoints.limit - points.count))
            case .control("END_OF_CHANNEL", _): return .ended(points)
            case .control("CHANNEL_ABORT", let reason): return .aborted(reason)
            case .error(let code, let type, let message): return .failed(code: code, type: type, message: message)
            case .authenticated, .control, .other: continue
            }
        }
        return .closed(code: session.closure?.code, reason: session.closure?.reason ?? "")
    }

    /// The computation's value, as Flagger takes it: the last non-null point of the only series. Pure.
    static func value(of outcome: Outcome) throws(MetricError) -> Double {
        let points = try SplunkProvider.points(of: outcome)
        guard let last = points.last?.value, !last.isNaN else { throw MetricError.noValues }
        guard Set(points.map(\.tsid)).count == 1 else { throw MetricError.multipleValues }
        guard last.isFinite else { throw MetricError.notFinite("\(last)") }
        return last
    }

    /// The computation's non-null points of its only series, in order; points of several are
    /// ``MetricError/multipleValues``. Pure.
    static func series(of outcome: Outcome) throws(MetricError) -> [Double] {
        let points = try SplunkProvider.points(of: outcome)
        guard Set(points.map(\.tsid)).count <= 1 else { throw MetricError.multipleValues }
        return try SeriesPoints.finish(points.lazy.map(\.value))
    }

    /// The points with a value of a computation that ended; how it ended otherwise, as an error. Pure.
    static func points(of outcome: Outcome) throws(MetricError) -> [SignalFlowMessage.Point] {
        switch outcome {
        case .ended(let all): return all.filter { $0.value != nil }
        case .aborted(let reason):
            throw MetricError.query("splunk: the computation was aborted\(reason.map { ": \($0)" } ?? "")")
        case .failed(let code, let type, let message):
            let head = [code.map { "\($0)" }, type.map { "(\($0))" }].compactMap { $0 }.joined(separator: " ")
            throw MetricError.query("splunk: error executing query: \(head.isEmpty ? "error" : head)\(message.map { ": \($0)" } ?? "")")
        case .closed(let code, let reason):
            let detail = [code.map { "\($0)" }, reason.isEmpty ? nil : reason].compactMap { $0 }.joined(separator: " ")
            throw MetricError.query("splunk: the stream closed before the computation ended\(detail.isEmpty ? "" : ": \(detail)")")
        case .malformed(let error): throw error
        }
    }
}
