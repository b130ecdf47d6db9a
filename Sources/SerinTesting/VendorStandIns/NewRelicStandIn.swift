import Foundation
import HTTPTypes
import Hummingbird

/// New Relic's Insights query API as its documentation describes it (docs.newrelic.com, "Query Insights
/// event data via API"):
///
/// - `GET /v1/accounts/<account id>/query?nrql=<NRQL>` with `X-Query-Key`; 200 is
///   `{"results": [{"result": <number|null>}], "metadata": {…}}` for a select of one expression.
/// - Errors are `{"error": "…"}`: 401 for a wrong key or account, 400 for NRQL it cannot parse (a query
///   without `SELECT`, or without the `SINCE` window the provider adds); 429 with `Retry-After`.
public struct NewRelicStandIn: Sendable {
    public let state: VendorStandIn
    public let accountID: String
    public let queryKey: String

    public init(accountID: String, queryKey: String, signal: @escaping VendorStandIn.Signal) {
        (self.accountID, self.queryKey) = (accountID, queryKey)
        state = VendorStandIn(signal: signal)
    }

    public var responder: CallbackResponder<BasicRequestContext> {
        CallbackResponder { request, _ in
            let (received, throttle) = await state.receive(request)
            if let throttle {
                return VendorStandIn.answer(
                    .tooManyRequests, json: ["error": "Too many requests"], headers: [HTTPField.Name("Retry-After")!: "\(throttle)"])
            }
            guard received.path == "/v1/accounts/\(accountID)/query" else {
                return VendorStandIn.answer(.notFound, json: ["error": "Not found"])
            }
            guard received.headers["x-query-key"] == queryKey else {
                return VendorStandIn.answer(.unauthorized, json: ["error": "Invalid query key"])
            }
            guard let nrql = received.parameters["nrql"], nrql.uppercased().contains("SELECT"), nrql.contains(" SINCE ") else {
                return VendorStandIn.answer(.badRequest, json: ["error": "NRQL Syntax Error: Error at line 1 position 1"])
            }
            let metadata: [String: Any] = ["eventTypes": ["Metric"], "contents": [["function": "alias", "alias": "result"]]]
            guard let value = await state.signal(nrql) else {
                return VendorStandIn.answer(.ok, json: ["results": [[String: Any]](), "metadata": metadata])
            }
            return VendorStandIn.answer(.ok, json: ["results": [["result": VendorStandIn.point(value)]], "metadata": metadata])
        }
    }
}
