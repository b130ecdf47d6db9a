import Foundation
import HTTPTypes
import Hummingbird

/// Any JSON endpoint, for the `web` provider: answers every request carrying `Authorization: Bearer <token>`
/// with `{"data": {"value": <number|null>, "label": "…"}}`, the number the signal gives for the request's
/// path, query and body; 401 `{"error": "unauthorized"}` otherwise.
public struct JSONEndpointStandIn: Sendable {
    public let state: VendorStandIn
    public let token: String

    public init(token: String, signal: @escaping VendorStandIn.Signal) {
        self.token = token
        state = VendorStandIn(signal: signal)
    }

    public var responder: CallbackResponder<BasicRequestContext> {
        CallbackResponder { request, _ in
            let (received, _) = await state.receive(request)
            guard received.headers["authorization"] == "Bearer \(token)" else {
                return VendorStandIn.answer(.unauthorized, json: ["error": "unauthorized"])
            }
            let asked =
                "\(received.path)?\(received.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")) \(received.body)"
            let value = await state.signal(asked)
            return VendorStandIn.answer(.ok, json: ["data": ["value": value.map(VendorStandIn.point) ?? NSNull(), "label": "success rate"]])
        }
    }
}
