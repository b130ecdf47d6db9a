import Foundation
import HTTPTypes
import Hummingbird

/// InfluxDB 2's query API as its documentation describes it (docs.influxdata.com/influxdb/v2/api/#operation/PostQuery,
/// and the annotated CSV of docs.influxdata.com/influxdb/v2/reference/syntax/annotated-csv/):
///
/// - `POST /api/v2/query?org=<org>` with `Authorization: Token <token>` and a JSON body
///   `{"query": "<flux>", "type": "flux", "dialect": {…}}`; 200 is annotated CSV (`#datatype`, `#group`,
///   `#default`, a header, records); no data is an empty body.
/// - Errors are `{"code": "…", "message": "…"}`: 401 `unauthorized`, 400 `invalid` for a body without a
///   query, 404 `not found` for an unknown organisation; 429 with `Retry-After`.
public struct InfluxDBStandIn: Sendable {
    public let state: VendorStandIn
    public let token: String
    public let organisation: String

    public init(token: String, organisation: String, signal: @escaping VendorStandIn.Signal) {
        (self.token, self.organisation) = (token, organisation)
        state = VendorStandIn(signal: signal)
    }

    static func error(_ status: HTTPResponse.Status, _ code: String, _ message: String, headers: HTTPFields = [:]) -> Response {
        VendorStandIn.answer(status, json: ["code": code, "message": message], headers: headers)
    }

    public var responder: CallbackResponder<BasicRequestContext> {
        CallbackResponder { request, _ in
            let (received, throttle) = await state.receive(request)
            if let throttle {
                return Self.error(.tooManyRequests, "too many requests", "rate limited", headers: [HTTPField.Name("Retry-After")!: "\(throttle)"])
            }
            guard received.headers["authorization"] == "Token \(token)" else {
                return Self.error(.unauthorized, "unauthorized", "unauthorized access")
            }
            guard received.method == "POST", received.path == "/api/v2/query" else { return Self.error(.notFound, "not found", "path not found") }
            guard received.parameters["org"] == organisation else {
                return Self.error(.notFound, "not found", "organization name \"\(received.parameters["org"] ?? "")\" not found")
            }
            let body = (try? JSONSerialization.jsonObject(with: Data(received.body.utf8))) as? [String: Any]
            guard let flux = body?["query"] as? String, !flux.isEmpty else { return Self.error(.badRequest, "invalid", "query must not be empty") }
            guard let value = await state.signal(flux) else { return VendorStandIn.answer(.ok, text: "", contentType: "text/csv; charset=utf-8") }
            return VendorStandIn.answer(.ok, text: Self.table(value), contentType: "text/csv; charset=utf-8")
        }
    }

    /// One table of one record, as InfluxDB writes a `mean()` or `last()`: `_value` a double (empty for null).
    static func table(_ value: Double) -> String {
        let cell = value.isNaN ? "" : "\(value)"
        return """
            #datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,double,string,string\r
            #group,false,false,true,true,false,true,true\r
            #default,_result,,,,,,\r
            ,result,table,_start,_stop,_value,_field,_measurement\r
            ,,0,2026-01-01T00:00:00Z,2026-01-01T00:10:00Z,\(cell),success_rate,istio_requests_total\r
            \r

            """
    }
}
