import CanaryAPI
import Foundation
import KubeCore
import NIOHTTP1
import Synchronization

/// An OAuth access token for Google's APIs: from the template's service-account key (a signed JWT exchanged
/// at its `token_uri`), else from the metadata server (GKE Workload Identity, a GCE service account), as
/// Google's client libraries find one. Kept until a minute before it expires.
struct GoogleAccessToken: Sendable {
    let account: GoogleServiceAccount?
    let api: VendorAPI

    private static let kept = Mutex<[String: (token: String, expires: Date)]>([:])

    /// The metadata server (`GCE_METADATA_HOST` overrides it, as in Google's libraries).
    var metadataURL: String {
        let host = api.config.environment["GCE_METADATA_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "metadata.google.internal"
        return "http://\(host)/computeMetadata/v1/instance/service-accounts/default/token"
    }

    func token() async throws(MetricError) -> String {
        let now = api.config.clock.date
        let cacheKey = account?.email ?? metadataURL
        if let kept = Self.kept.withLock({ $0[cacheKey] }), kept.expires > now.addingTimeInterval(60) { return kept.token }
        let body: [UInt8]
        if let account {
            let form = formQuery([("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", try account.assertion(now: now))])
            body = try await api.send(
                .POST, account.tokenURI, headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
                body: Array(form.utf8))
        } else {
            body = try await api.send(.GET, metadataURL, headers: [("Metadata-Flavor", "Google"), ("Accept", "application/json")])
        }
        struct Answer: Decodable {
            var access_token: String
            var expires_in: Int?
        }
        let answer = try api.decode(Answer.self, from: body)
        Self.kept.withLock { $0[cacheKey] = (answer.access_token, now.addingTimeInterval(TimeInterval(answer.expires_in ?? 300))) }
        return answer.access_token
    }
}
