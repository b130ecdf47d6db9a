import Foundation
import HTTPTypes
import Hummingbird

/// Dynatrace's Metrics API v2 as its documentation describes it (docs.dynatrace.com, "Metrics API - GET
/// metric data points" and "GET metrics"):
///
/// - `GET /api/v2/metrics/query?metricSelector=…&from=<ms>&to=<ms>&resolution=Inf` with
///   `Authorization: Api-Token <token>`; 200 is `MetricData`: `{"totalCount", "nextPageKey", "resolution",
///   "result": [{"metricId", "data": [{"dimensions", "dimensionMap", "timestamps", "values"}]}]}`; a window
///   without data has `values: [null]`.
/// - `GET /api/v2/metrics?pageSize=1`: a page of metric descriptors.
/// - Errors are `{"error": {"code": <status>, "message": "…"}}`: 401 without a valid token, 400 without a
///   selector; 429 with `Retry-After`.
public struct DynatraceStandIn: Sendable {
    public let state: VendorStandIn
    public let token: String

    public init(token: String, signal: @escaping VendorStandIn.Signal) {
        self.token = token
        state = VendorStandIn(signal: signal)
    }

    static func error(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) -> Response {
        VendorStandIn.answer(status, json: ["error": ["code": Int(status.code), "message": message]], headers: headers)
    }

    public var responder: CallbackResponder<BasicRequestContext> {
        CallbackResponder { request, _ in
            let (received, throttle) = await state.receive(request)
            if let throttle {
                return Self.error(.tooManyRequests, "Too Many Requests", headers: [HTTPField.Name("Retry-After")!: "\(throttle)"])
            }
            guard received.headers["authorization"] == "Api-Token \(token)" else {
                return Self.error(.unauthorized, "Missing authorization parameter.")
            }
            switch received.path {
            case "/api/v2/metrics":
                return VendorStandIn.answer(
                    .ok, json: ["totalCount": 1, "nextPageKey": NSNull(), "metrics": [["metricId": "builtin:service.requestCount.total"]]])
            case "/api/v2/metrics/query": return await query(received)
            default: return Self.error(.notFound, "Not found")
            }
        }
    }

    private func query(_ request: VendorStandIn.Request) async -> Response {
        guard let selector = request.parameters["metricSelector"], !selector.isEmpty,
            let from = request.parameters["from"].flatMap(Int64.init), let to = request.parameters["to"].flatMap(Int64.init), from < to
        else {
            return Self.error(.badRequest, "Constraints violated: metricSelector, from and to are required")
        }
        let value = await state.signal(selector)
        let series: [String: Any] = [
            "dimensions": [String](), "dimensionMap": [String: String](), "timestamps": [to],
            "values": [value.map(VendorStandIn.point) ?? NSNull()],
        ]
        let result: [String: Any] = [
            "metricId": selector, "dataPointCountRatio": 1.0E-6, "dimensionCountRatio": 1.0E-5,
            "data": value == nil ? [[String: Any]]() : [series],
        ]
        return VendorStandIn.answer(
            .ok, json: ["totalCount": value == nil ? 0 : 1, "nextPageKey": NSNull(), "resolution": "Inf", "result": [result]])
    }
}
