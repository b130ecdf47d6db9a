import Foundation
import KubeCore
import NIOHTTP1
import OutboundHTTP

/// Posting a chat payload as Flagger does: a JSON `POST` with `Content-Type: application/json`, an
/// `Authorization: Bearer` header when the provider's secret has a `token`, through the provider's `proxy`
/// when it has one, 5 s at most; any status outside 2xx is an error with the receiver's answer.
struct ChatPost: Sendable {
    let address: String
    let token: String?
    let http: OutboundHTTP

    /// `sendsToken`: only Slack's notifier sends the provider's token (as Flagger).
    init(_ config: NotifierConfig, address: String? = nil, sendsToken: Bool = false) throws(NotifierError) {
        let target = address ?? config.address
        guard let url = URL(string: target), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw NotifierError("invalid hook URL: not an http(s) URL")  // the address is a secret: never shown
        }
        var proxies = ProxySettings()
        if let proxy = config.proxy, !proxy.isEmpty {
            guard let proxyURL = URL(string: proxy), proxyURL.host != nil else { throw NotifierError("unable to parse the proxy URL") }
            proxies = ProxySettings(httpProxy: proxyURL, httpsProxy: proxyURL)
        }
        self.address = target
        self.token = sendsToken ? config.token.flatMap { $0.isEmpty ? nil : $0 } : nil
        self.http = OutboundHTTP(proxies: proxies)
    }

    func send(_ payload: JSONValue) async throws {
        var headers = [("Content-Type", "application/json")]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        let response: OutboundHTTP.Response
        do {
            response = try await http.send(.POST, address, headers: headers, body: Array(payload.serialized()), timeout: .seconds(5))
        } catch {
            throw NotifierError("sending notification failed: the receiver did not answer")
        }
        guard (200..<300).contains(response.status) else {
            throw NotifierError("sending notification bad response \(response.status): \(String(response.text.prefix(512)))")
        }
    }
}

/// A notifier that cannot be built or whose receiver refused an alert. Never holds the address or token.
public struct NotifierError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
