import CanaryAPI
import Crypto
import Foundation
import _CryptoExtras

/// A Google service-account key (the JSON file `gcloud iam service-accounts keys create` writes) and the
/// signed JWT it exchanges for an OAuth access token (developers.google.com/identity/protocols/oauth2/service-account).
struct GoogleServiceAccount: Sendable {
    let email: String
    let keyID: String?
    let tokenURI: String
    let key: _RSA.Signing.PrivateKey

    /// The monitoring API's read scope.
    static let scope = "https://www.googleapis.com/auth/monitoring.read"

    init(json: String) throws(MetricError) {
        struct File: Decodable {
            var client_email: String?
            var private_key: String?
            var private_key_id: String?
            var token_uri: String?
        }
        let file: File
        do { file = try JSONDecoder().decode(File.self, from: Data(json.utf8)) } catch {
            throw MetricError.configuration("stackdriver: serviceAccountKey is not a service-account key file: \(VendorAPI.reason(error))")
        }
        guard let email = file.client_email, let pem = file.private_key else {
            throw MetricError.configuration("stackdriver: serviceAccountKey has no client_email or private_key")
        }
        do { key = try _RSA.Signing.PrivateKey(pemRepresentation: pem) } catch {
            throw MetricError.configuration("stackdriver: serviceAccountKey's private_key is not an RSA key: \(error)")
        }
        self.email = email
        keyID = file.private_key_id
        tokenURI = file.token_uri ?? "https://oauth2.googleapis.com/token"
    }

    /// The RS256 JWT asking for the monitoring scope, valid for an hour from `now`.
    func assertion(now: Date) throws(MetricError) -> String {
        let issued = Int64(now.timeIntervalSince1970)
        var header: [String: String] = ["alg": "RS256", "typ": "JWT"]
        if let keyID { header["kid"] = keyID }
        let claims: [String: Any] = ["iss": email, "scope": Self.scope, "aud": tokenURI, "iat": issued, "exp": issued + 3600]
        let input: String
        do {
            let encodedHeader = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes])
            let encodedClaims = try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys, .withoutEscapingSlashes])
            input = Self.base64URL(encodedHeader) + "." + Self.base64URL(encodedClaims)
        } catch {
            throw MetricError.configuration("stackdriver: failed to encode the token request: \(error)")
        }
        let signature: _RSA.Signing.RSASignature
        do { signature = try key.signature(for: Data(input.utf8), padding: .insecurePKCS1v1_5) } catch {
            throw MetricError.configuration("stackdriver: failed to sign the token request: \(error)")
        }
        return input + "." + Self.base64URL(signature.rawRepresentation)
    }

    /// Base64url without padding (RFC 7515).
    static func base64URL(_ data: some DataProtocol) -> String {
        Data(data).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
