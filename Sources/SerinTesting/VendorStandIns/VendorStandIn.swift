import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// What every SaaS stand-in shares: the number each query measures, the requests it received, and rate
/// limiting on demand.
///
/// A stand-in implements one vendor's documented HTTP API (paths, authentication, query parameters, the
/// JSON or CSV of its answers and errors, empty and null points, 429s) — each file names the documentation
/// it follows — and `Tests/VendorClients/` checks its answers with the vendor's own client library. What a
/// query measures is not the stand-in's to evaluate (that is the vendor's query engine): ``Signal`` answers
/// it, from the sandbox's traffic in the scenarios.
public final class VendorStandIn: Sendable {
    /// The number a query measures: `nil` for no data (the vendor's empty answer), `.nan` for a null point.
    public typealias Signal = @Sendable (_ query: String) async -> Double?

    /// One request as it arrived.
    public struct Request: Sendable {
        public var method: String
        public var path: String
        /// The query string's parameters, decoded.
        public var parameters: [String: String]
        /// Header fields, names lowercased.
        public var headers: [String: String]
        public var body: String
    }

    let signal: Signal
    private let log = Mutex<[Request]>([])
    private let throttled = Mutex<(count: Int, retryAfter: Int)>((0, 0))

    public init(signal: @escaping Signal) { self.signal = signal }

    /// Every request received so far, oldest first.
    public var requests: [Request] { log.withLock { $0 } }

    /// Answers the next `count` requests with `429 Too Many Requests`, asking for `seconds` of patience.
    public func throttle(next count: Int, retryAfter seconds: Int) { throttled.withLock { $0 = (count, seconds) } }

    /// Records a message that arrived other than as an HTTP request (a WebSocket message).
    func record(method: String, path: String, body: String) {
        log.withLock { $0.append(Request(method: method, path: path, parameters: [:], headers: [:], body: body)) }
    }

    /// Records `request` and reads its body; a 429 to send instead of an answer, while throttled.
    func receive(_ request: Hummingbird.Request) async -> (Request, throttle: Int?) {
        var parameters: [String: String] = [:]
        var components = URLComponents()
        components.percentEncodedQuery = request.uri.query
        for item in components.queryItems ?? [] { parameters[item.name] = item.value ?? "" }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let body = (try? await request.body.collect(upTo: 1 << 20)).map { String(buffer: $0) } ?? ""
        let received = Request(
            method: request.method.rawValue, path: request.uri.path, parameters: parameters, headers: headers, body: body)
        log.withLock { $0.append(received) }
        let throttle = throttled.withLock { state -> Int? in
            guard state.count > 0 else { return nil }
            state.count -= 1
            return state.retryAfter
        }
        return (received, throttle)
    }

    /// A response with a JSON body (`object` serialised) or a text body.
    static func answer(_ status: HTTPResponse.Status, json object: Any, headers: HTTPFields = [:]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])) ?? Data()
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func answer(_ status: HTTPResponse.Status, text: String, contentType: String) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// A JSON number, or `null` for NaN (JSON has no NaN).
    static func point(_ value: Double) -> Any { value.isNaN ? NSNull() : value }
}
