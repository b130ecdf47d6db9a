import CanaryAPI
import Foundation
import KubeCore
import NIOHTTP1
import OutboundHTTP

/// The HTTP calls of one provider, made the same way for every vendor: one deadline for the whole check,
/// a `429 Too Many Requests` waited out when its `Retry-After` fits in what is left of it, and errors that
/// name the provider and what answered ("datadog: 403 Forbidden: …") without a credential in them.
struct VendorAPI: Sendable {
    let provider: MetricProviderType
    let config: MetricProviderConfig
    /// The whole check's deadline, retries included.
    let timeout: Duration

    /// Sends a request and returns the body of an answer `accepting` approves (by default 200, as Flagger's
    /// SaaS providers require).
    func send(
        _ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
        accepting: (Int) -> Bool = { $0 == 200 }
    ) async throws(MetricError) -> [UInt8] {
        let clock = config.clock
        let deadline = clock.now.advanced(by: timeout)
        while true {
            let left = clock.now.duration(to: deadline)
            let response: OutboundHTTP.Response
            do {
                response = try await config.http.send(method, url, headers: headers, body: body, timeout: max(left, .milliseconds(1)))
            } catch {
                throw MetricError.query("\(provider): failed to query \(VendorAPI.site(of: url)): \(scrubbed(error.reason))")
            }
            if accepting(response.status) { return response.body }
            if response.status == 429, let wait = VendorAPI.retryAfter(response, now: clock.date, resetHeader: provider == .datadog) {
                if clock.now.advanced(by: wait) < deadline {
                    do { try await clock.sleep(for: wait) } catch { throw MetricError.query("\(provider): cancelled while rate limited") }
                    continue
                }
                throw MetricError.query(
                    "\(failure(response)) (Retry-After \(GoDuration(wait)) is past the check's \(GoDuration(timeout)) timeout)")
            }
            throw MetricError.query(failure(response))
        }
    }

    /// "<provider>: <status> <reason>: <start of the body>", the body without a credential of the secret's.
    func failure(_ response: OutboundHTTP.Response) -> String {
        let status = HTTPResponseStatus(statusCode: response.status)
        let text = String(decoding: response.body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let head = "\(provider): \(response.status) \(status.reasonPhrase)"
        return text.isEmpty ? head : "\(head): \(scrubbed(text))"
    }

    /// `text` with each of the secret's values masked, then Serin's usual redaction.
    func scrubbed(_ text: String) -> String {
        var masked = text
        for value in (config.secret ?? [:]).values where value.count >= 4 {
            masked = masked.replacingOccurrences(of: value, with: "[redacted]")
        }
        return Redaction.scrub(masked)
    }

    /// A JSON answer decoded as `T`, or "<provider>: the answer is not …: <start of the body>".
    func decode<T: Decodable>(_ type: T.Type, from body: [UInt8]) throws(MetricError) -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(body)) } catch {
            let text = String(decoding: body.prefix(200), as: UTF8.self)
            throw MetricError.query("\(provider): error unmarshaling result: \(VendorAPI.reason(error)), '\(scrubbed(text))'")
        }
    }

    /// The scheme, host and path of `url`: what an error names, never the query string that may hold a query.
    static func site(of url: String) -> String {
        guard var components = URLComponents(string: url) else { return "the provider" }
        components.query = nil
        components.user = nil
        components.password = nil
        return components.string ?? "the provider"
    }

    /// How long a 429 asks to be waited: `Retry-After` as seconds or an HTTP date, else (Datadog, with
    /// `resetHeader`) `X-RateLimit-Reset`, the seconds until its limit resets; `nil` without either.
    static func retryAfter(_ response: OutboundHTTP.Response, now: Date, resetHeader: Bool = false) -> Duration? {
        guard let value = response.headers(named: "Retry-After").first?.trimmingCharacters(in: .whitespaces) else {
            guard resetHeader, let reset = response.headers(named: "X-RateLimit-Reset").first.flatMap({ Int($0) }), (0..<86_400).contains(reset)
            else { return nil }
            return .seconds(reset)
        }
        if let seconds = Int(value), seconds >= 0, seconds < 86_400 { return .seconds(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        let seconds = date.timeIntervalSince(now)
        return seconds.isFinite ? .milliseconds(Int64(max(0, min(seconds, 86_400)) * 1000)) : nil
    }

    /// A decoding error in one line.
    static func reason(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        case nil: return "\(error)"
        @unknown default: return "\(error)"
        }
    }
}

extension MetricProviderConfig {
    /// The calls of `provider`, with its timeout for the whole check.
    func api(_ provider: MetricProviderType, timeout: Duration = .seconds(5)) -> VendorAPI {
        VendorAPI(provider: provider, config: self, timeout: timeout)
    }

    /// The address without a trailing `/`.
    var baseAddress: String { address.hasSuffix("/") ? String(address.dropLast()) : address }

    /// A query window's end and start, `multiplier` intervals back from now, as Unix time in `unit`s per second.
    func window(intervals multiplier: Int64, perSecond unit: Int64) throws(MetricError) -> (from: Int64, to: Int64) {
        let interval = try parsedInterval()
        let now = Int64(clock.date.timeIntervalSince1970)
        let span = interval.components.seconds * unit + interval.components.attoseconds / (1_000_000_000_000_000_000 / unit)
        return ((now * unit) - multiplier * span, now * unit)
    }
}

/// A query string from ordered pairs, each name and value percent-encoded as a form would (`+` as `%2B`,
/// so a vendor's form decoding reads it back as it was).
func formQuery(_ pairs: [(String, String)]) -> String {
    let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "" }
    return pairs.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
}
