import CanaryAPI
import Foundation
import KubeCore
import NIOHTTP1
import OutboundHTTP

/// Calls Canary webhooks the way Flagger does, through ``OutboundHTTP`` (so `HTTP_PROXY` applies).
///
/// - `POST` with `Content-Type: application/json` and Flagger's payload (``WebhookPayload``).
/// - Each attempt, the answer's body included, is cut at the webhook's `timeout` (default 10 s); a timeout is
///   retried as a connection error is.
/// - `retries` more attempts follow a connection error, a 5xx or a 429, with exponential back-off from 1 s
///   (capped at 30 s), as Flagger's retrying client does.
/// - `disableTLS: true` skips verifying the webhook's certificate (Flagger's `InsecureSkipVerify`), through a
///   connection pool of its own; the Canary gets a Warning saying so (``WebhookClient/unverifiedTLS(_:)``).
/// - Success is any 2xx answer. Flagger accepts only up to 202 (quirk 4): 203–299 succeed here
///   (`docs/compatibility.md`).
public struct WebhookClient: Sendable {
    /// The first back-off between attempts; it doubles up to ``maximumBackoff``.
    public static let initialBackoff: Duration = .seconds(1)
    public static let maximumBackoff: Duration = .seconds(30)

    let http: OutboundHTTP
    let credentials: [WebhookCredential]
    let sleep: @Sendable (Duration) async throws -> Void

    public init(
        http: OutboundHTTP = OutboundHTTP(), credentials: [WebhookCredential] = [],
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.http = http
        self.credentials = credentials
        self.sleep = sleep
    }

    /// The outcome of one webhook call.
    public enum Outcome: Sendable, Equatable {
        case success
        /// The reason, worded for Flagger's events: the answer's body, or what went wrong.
        case failure(String)
    }

    public func call(_ webhook: CanaryWebhook, payload: WebhookPayload) async -> Outcome {
        let timeout = WebhookClient.timeout(of: webhook)
        let body = payload.json.serialized()
        var headers = [("Content-Type", "application/json")]
        if let credential = credentials.first(where: { webhook.url.hasPrefix($0.urlPrefix) }) {
            headers.append(("Authorization", "Bearer \(credential.token)"))
        }
        var http = self.http
        if webhook.disableTLS == true { http.verifiesCertificates = false }
        var backoff = WebhookClient.initialBackoff
        var attempt = 0
        while true {
            attempt += 1
            let outcome: Outcome
            var retryable = false
            do {
                let response = try await http.send(
                    .POST, webhook.url, headers: headers, body: body,
                    timeout: timeout)
                if (200..<300).contains(response.status) { return .success }
                retryable = response.status >= 500 || response.status == 429
                let text = response.text.trimmingCharacters(in: .whitespacesAndNewlines)
                outcome = .failure(text.isEmpty ? "status \(response.status)" : text)
            } catch {
                retryable = true
                outcome = .failure(error.description)
            }
            guard retryable, attempt <= (webhook.retries ?? 0) else { return outcome }
            do { try await sleep(backoff) } catch { return outcome }
            backoff = min(backoff * 2, WebhookClient.maximumBackoff)
        }
    }

    /// The Canary's webhooks that turn TLS verification off (`disableTLS`) on an `https` URL, each as the
    /// Warning Serin records for it: honoured, and said out loud. Pure.
    public static func unverifiedTLS(_ canary: Canary) -> [String] {
        (canary.spec.analysis?.webhooks ?? []).compactMap { webhook in
            guard webhook.disableTLS == true, webhook.url.lowercased().hasPrefix("https:") else { return nil }
            return "webhook \(webhook.name) sets disableTLS: the TLS certificate of \(Redaction.url(webhook.url)) is not verified, "
                + "so anyone on the path can answer it"
        }
    }

    /// The webhook's `timeout`, Flagger's default when unset or shorter than "1s".
    static func timeout(of webhook: CanaryWebhook) -> Duration {
        guard let text = webhook.timeout, text.count >= 2, let parsed = try? GoDuration(parsing: text), parsed.duration > .zero else {
            return CanaryDefaults.webhookTimeout
        }
        return parsed.duration
    }
}
