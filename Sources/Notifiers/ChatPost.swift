import Foundation
import KubeCore
import NIOHTTP1
import OutboundHTTP

/// Posting a chat payload as Flagger does: a JSON `POST` with `Content-Type: application/json`, an
/// `Authorization: Bearer` header when the provider's secret has a `token`, through the provider's `proxy`
/// when it has one, ``timeout`` at most (connecting, the answer's headers and its whole body); any status
/// outside 2xx is an error with the receiver's answer.
///
/// The chat robots (WeCom, DingTalk, Feishu) answer `200` to a message they refuse and put the refusal in
/// the body (`errcode`, `code`): ``Answer`` reads it.
struct ChatPost: Sendable {
    /// How the receiver says it took the message.
    enum Answer: Sendable {
        /// A 2xx status.
        case status
        /// A 2xx status and a JSON body whose `member` is 0 (`errcode` for WeCom and DingTalk, `code` for
        /// Feishu), the reason in `reason` (`errmsg`, `msg`).
        case code(member: String, reason: String)
    }

    /// The longest a post may take, as Flagger's notifiers (a receiver that trickles its answer included).
    static let timeout: Duration = .seconds(5)

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

    /// Posts `payload`, with `query` added to the address (DingTalk's signature).
    func send(_ payload: JSONValue, query: [URLQueryItem] = [], answer: Answer = .status) async throws {
        var headers = [("Content-Type", "application/json")]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        var target = address
        if !query.isEmpty, var components = URLComponents(string: address) {
            components.percentEncodedQueryItems =
                (components.percentEncodedQueryItems ?? [])
                + query.map {
                    URLQueryItem(name: $0.name, value: $0.value?.addingPercentEncoding(withAllowedCharacters: ChatPost.queryValue))
                }
            target = components.string ?? address
        }
        let response: OutboundHTTP.Response
        do {
            response = try await http.send(.POST, target, headers: headers, body: Array(payload.serialized()), timeout: ChatPost.timeout)
        } catch {
            // The error names the address, a secret: only whether it timed out is told.
            let why = error.isTimeout ? "the receiver did not answer within \(ChatPost.timeout.components.seconds)s" : "the receiver did not answer"
            throw NotifierError("sending notification failed: \(why)", retryable: true)
        }
        guard (200..<300).contains(response.status) else {
            throw NotifierError(
                "sending notification bad response \(response.status): \(String(response.text.prefix(512)))",
                retryable: response.status >= 500 || response.status == 429)
        }
        if case .code(let member, let reason) = answer {
            let body = try? JSONValue(parsing: Array(response.text.utf8))
            let code = body?[member]?.intValue ?? (body?[member] == nil ? nil : -1)
            guard code == 0 else {
                let why = body?[reason]?.stringValue ?? String(response.text.prefix(512))
                throw NotifierError("sending notification refused: \(member) \(code.map(String.init) ?? "missing"): \(why)")
            }
        }
    }

    /// What a query value may hold unescaped (`+`, `/` and `=` of a base64 signature are escaped).
    static let queryValue: CharacterSet = .alphanumerics.union(CharacterSet(charactersIn: "-._~"))
}

/// A notifier that cannot be built or whose receiver refused an alert. Never holds the address or token.
public struct NotifierError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// The receiver did not answer, failed (5xx) or asked to slow down (429): worth trying again.
    public var retryable: Bool
    public init(_ message: String, retryable: Bool = false) {
        self.message = message
        self.retryable = retryable
    }
    public var description: String { message }
}
