import Foundation
import HTTPTypes
import Hummingbird
import _CryptoExtras

/// Google Cloud Monitoring's `projects.timeSeries.query` in its REST form, Google's OAuth token endpoint for
/// service accounts and the GCE metadata server's token, as Google documents them
/// (cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.timeSeries/query,
/// developers.google.com/identity/protocols/oauth2/service-account, cloud.google.com/compute/docs/metadata):
///
/// - `POST /token`: a form with `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` and an RS256
///   `assertion` whose signature verifies with the service account's key and whose `aud`, `iss` and `scope`
///   are right; 200 `{"access_token", "expires_in", "token_type": "Bearer"}`, else 400 `invalid_grant`.
/// - `GET /computeMetadata/v1/instance/service-accounts/default/token` with `Metadata-Flavor: Google`.
/// - `POST /v3/projects/<project>/timeSeries:query` with `Authorization: Bearer <token>` and `{"query": …}`:
///   200 `{"timeSeriesDescriptor", "timeSeriesData": [{"labelValues", "pointData": [{"values":
///   [{"doubleValue"}], "timeInterval"}]}]}` (no data: `{}`); an empty query is 400 `INVALID_ARGUMENT`;
///   a wrong token 401 `UNAUTHENTICATED` (Google's `{"error": {"code", "message", "status"}}`).
public struct GoogleMonitoringStandIn: Sendable {
    public let state: VendorStandIn
    public let project: String
    /// The service account whose JWTs the token endpoint accepts, with its public key.
    public let email: String
    public let publicKey: _RSA.Signing.PublicKey?

    public init(project: String, email: String = "", publicKeyPEM: String? = nil, signal: @escaping VendorStandIn.Signal) throws {
        (self.project, self.email) = (project, email)
        publicKey = try publicKeyPEM.map { try _RSA.Signing.PublicKey(pemRepresentation: $0) }
        state = VendorStandIn(signal: signal)
    }

    static let accessToken = "ya29.standin-token"

    static func error(_ status: HTTPResponse.Status, _ code: String, _ message: String) -> Response {
        VendorStandIn.answer(status, json: ["error": ["code": Int(status.code), "message": message, "status": code]])
    }

    public var responder: CallbackResponder<BasicRequestContext> {
        CallbackResponder { request, _ in
            let (received, _) = await state.receive(request)
            switch received.path {
            case "/token": return token(received)
            case "/computeMetadata/v1/instance/service-accounts/default/token":
                guard received.headers["metadata-flavor"] == "Google" else {
                    return VendorStandIn.answer(.forbidden, text: "Missing Metadata-Flavor", contentType: "text/html")
                }
                return VendorStandIn.answer(.ok, json: ["access_token": Self.accessToken, "expires_in": 3599, "token_type": "Bearer"])
            case "/v3/projects/\(project)/timeSeries:query": return await query(received)
            default: return Self.error(.notFound, "NOT_FOUND", "Requested entity was not found.")
            }
        }
    }

    private func query(_ request: VendorStandIn.Request) async -> Response {
        guard request.headers["authorization"] == "Bearer \(Self.accessToken)" else {
            return Self.error(.unauthorized, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
        }
        let body = (try? JSONSerialization.jsonObject(with: Data(request.body.utf8))) as? [String: Any]
        guard let mql = body?["query"] as? String, !mql.isEmpty else {
            return Self.error(.badRequest, "INVALID_ARGUMENT", "Field query had an invalid value: query cannot be empty.")
        }
        guard let value = await state.signal(mql) else { return VendorStandIn.answer(.ok, json: [String: Any]()) }
        let point: [String: Any] = [
            "values": [["doubleValue": VendorStandIn.point(value)]],
            "timeInterval": ["startTime": "2026-01-01T00:00:00Z", "endTime": "2026-01-01T00:01:00Z"],
        ]
        return VendorStandIn.answer(
            .ok,
            json: [
                "timeSeriesDescriptor": [
                    "labelDescriptors": [["key": "resource.container_name"]],
                    "pointDescriptors": [["key": "value", "valueType": "DOUBLE", "metricKind": "GAUGE"]],
                ],
                "timeSeriesData": [["labelValues": [["stringValue": "app"]], "pointData": [point]]],
            ])
    }

    /// The JWT bearer grant: the assertion's signature and claims checked.
    private func token(_ request: VendorStandIn.Request) -> Response {
        var form = URLComponents()
        form.percentEncodedQuery = request.body
        let fields = Dictionary((form.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let parts = (fields["assertion"] ?? "").split(separator: ".").map(String.init)
        func decoded(_ part: String) -> Data? {
            var base64 = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
            return Data(base64Encoded: base64)
        }
        guard fields["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer", parts.count == 3, let publicKey,
            let signature = decoded(parts[2]),
            publicKey.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature), for: Data("\(parts[0]).\(parts[1])".utf8), padding: .insecurePKCS1v1_5),
            let claims = decoded(parts[1]).flatMap({ try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }),
            claims["iss"] as? String == email, claims["scope"] as? String == "https://www.googleapis.com/auth/monitoring.read",
            (claims["aud"] as? String)?.hasSuffix("/token") == true
        else {
            return VendorStandIn.answer(.badRequest, json: ["error": "invalid_grant", "error_description": "Invalid JWT Signature."])
        }
        return VendorStandIn.answer(.ok, json: ["access_token": Self.accessToken, "expires_in": 3599, "token_type": "Bearer"])
    }
}
