import Foundation
import HTTPTypes
import Hummingbird

/// Datadog's metrics API as its reference documents it (docs.datadoghq.com/api/latest/metrics/#query-timeseries-points
/// and /api/latest/authentication/#validate-api-key):
///
/// - `GET /api/v1/query?from=<unix s>&to=<unix s>&query=<query>` with `DD-API-KEY` and `DD-APPLICATION-KEY`;
///   200 is a `MetricsQueryResponse` (`status: ok`, `series[].pointlist` of `[<ms>, <value|null>]`, oldest
///   first); no data is `series: []`.
/// - `GET /api/v1/validate` with `DD-API-KEY`: `{"valid": true}`.
/// - Errors are `APIErrorResponse` (`{"errors": ["…"]}`): 400 without a query or window, 403 for a wrong key;
///   429 carries Datadog's `X-RateLimit-*` headers (`X-RateLimit-Reset`: seconds until the limit resets).
public struct DatadogStandIn: Sendable {
    public let state: VendorStandIn
    public let apiKey: String
    public let applicationKey: String

    public init(apiKey: String, applicationKey: String, signal: @escaping VendorStandIn.Signal) {
        (self.apiKey, self.applicationKey) = (apiKey, applicationKey)
        state = VendorStandIn(signal: signal)
    }

    public var responder: CallbackResponder<BasicRequestContext> {
        CallbackResponder { request, _ in
            let (received, throttle) = await state.receive(request)
            if let throttle {
                let headers: HTTPFields = [
                    HTTPField.Name("X-RateLimit-Limit")!: "100", HTTPField.Name("X-RateLimit-Period")!: "60",
                    HTTPField.Name("X-RateLimit-Remaining")!: "0", HTTPField.Name("X-RateLimit-Reset")!: "\(throttle)",
                    HTTPField.Name("X-RateLimit-Name")!: "query",
                ]
                return VendorStandIn.answer(.tooManyRequests, json: ["errors": ["Too many requests"]], headers: headers)
            }
            guard received.headers["dd-api-key"] == apiKey else { return VendorStandIn.answer(.forbidden, json: ["errors": ["Forbidden"]]) }
            switch received.path {
            case "/api/v1/validate": return VendorStandIn.answer(.ok, json: ["valid": true])
            case "/api/v1/query": return await query(received)
            default: return VendorStandIn.answer(.notFound, json: ["errors": ["Not Found"]])
            }
        }
    }

    private func query(_ request: VendorStandIn.Request) async -> Response {
        guard request.headers["dd-application-key"] == applicationKey else {
            return VendorStandIn.answer(.forbidden, json: ["errors": ["Forbidden"]])
        }
        guard let query = request.parameters["query"], !query.isEmpty,
            let from = request.parameters["from"].flatMap(Int64.init), let to = request.parameters["to"].flatMap(Int64.init), from < to
        else {
            return VendorStandIn.answer(.badRequest, json: ["errors": ["The query, from and to parameters are required, with from before to"]])
        }
        var series: [[String: Any]] = []
        if let value = await state.signal(query) {
            // One-minute buckets over the window; every bucket measures the same, the newest is half filled.
            let buckets = max(1, (to - from) / 60)
            var points: [[Any]] = (0..<buckets).map { [Double((from + $0 * 60) * 1000), VendorStandIn.point(value)] }
            points.append([Double(to * 1000), VendorStandIn.point(value.isNaN ? value : value / 2)])
            series = [
                [
                    "metric": "query", "display_name": "query", "expression": query, "scope": "*", "aggr": "sum",
                    "interval": 60, "length": points.count, "query_index": 0, "start": from * 1000, "end": to * 1000,
                    "pointlist": points, "tag_set": [String](), "unit": NSNull(), "attributes": [String: Any](),
                ]
            ]
        }
        return VendorStandIn.answer(
            .ok,
            json: [
                "status": "ok", "res_type": "time_series", "resp_version": 1, "query": query, "from_date": from * 1000,
                "to_date": to * 1000, "series": series, "message": "", "group_by": [String](),
            ])
    }
}
