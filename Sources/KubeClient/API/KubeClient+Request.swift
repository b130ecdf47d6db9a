import AsyncHTTPClient
import Foundation
import KubeCore
import Logging
import NIOCore
import NIOHTTP1

/// One API request, before authentication.
struct KubeRequest: Sendable {
    var method: HTTPMethod
    /// The verb named in errors (`GET`, `LIST`, `WATCH`, …).
    var verb: String
    var path: String
    var query: [(String, String)] = []
    var body: [UInt8]? = nil
    var contentType: String? = nil
    /// `nil` uses the configured request timeout; watches pass their own.
    var timeout: Duration? = nil
}

/// A collected API response.
struct KubeResponse: Sendable {
    var status: Int
    var body: ByteBuffer
}

extension KubeClient {
    /// The largest response body read into memory (lists of many large objects stay well below).
    static let maximumBodySize = 1 << 30

    /// The full URL of a request.
    func url(_ request: KubeRequest) -> String {
        guard !request.query.isEmpty else { return baseURL + request.path }
        let query = request.query.map { "\($0.0)=\(KubeClient.escapeQuery($0.1))" }.joined(separator: "&")
        return baseURL + request.path + "?" + query
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// `value` with every byte of its UTF-8 but RFC 3986's unreserved ones (ASCII letters and digits, `-._~`)
    /// percent-encoded. Byte by byte: Foundation's character sets load Unicode tables (a quarter of a MiB
    /// resident) for what is ASCII.
    static func escapeQuery(_ value: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                bytes.append(byte)
            default:
                bytes.append(contentsOf: [UInt8(ascii: "%"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xf)]])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Sends a request and collects its body; a non-2xx answer throws ``KubeAPIError``.
    func perform(_ request: KubeRequest) async throws -> KubeResponse {
        let url = url(request)
        let response = try await open(request, url: url)
        do {
            let body = try await response.body.collect(upTo: KubeClient.maximumBodySize)
            return KubeResponse(status: Int(response.status.code), body: body)
        } catch {
            throw KubeClientError.transport("read the response of \(request.verb) \(url)", error)
        }
    }

    /// Sends a request and returns once the response head arrives with a 2xx status; the body is left to
    /// the caller (watches stream it). A non-2xx answer throws ``KubeAPIError``.
    func open(_ request: KubeRequest, url: String) async throws -> HTTPClientResponse {
        var retries = 0
        var reauthenticated = false
        while true {
            let response = try await send(request, url: url)
            let code = Int(response.status.code)
            if (200..<300).contains(code) { return response }
            let error = await apiError(response, request: request, url: url)
            if code == 401, credentials.isRefreshable, !reauthenticated {
                reauthenticated = true
                await credentials.invalidate()
                logger.debug("credentials rejected; refreshing", metadata: ["url": "\(url)"])
                continue
            }
            if let wait = error.retryAfter, code == 429 || code >= 500, retries < KubeClient.maximumRetries {
                retries += 1
                logger.debug("server asked to retry", metadata: ["url": "\(url)", "code": "\(code)", "after": "\(wait)"])
                try await sleep(wait)
                continue
            }
            throw error
        }
    }

    private func send(_ request: KubeRequest, url: String) async throws -> HTTPClientResponse {
        if request.method != .GET, let fence = configuration.writeFence {
            try fence.checkWrite(verb: request.verb, url: url)
        }
        try await rateLimiter.acquire(RequestPriority.current)
        var headers: [(name: String, value: String)] = [("Accept", "application/json"), ("User-Agent", configuration.userAgent)]
        do {
            if let header = try await credentials.authorizationHeader() { headers.append(("Authorization", header)) }
        } catch {
            throw KubeClientError.credentials("\(request.verb) \(url)", error)
        }
        if request.body != nil { headers.append(("Content-Type", request.contentType ?? "application/json")) }
        let timeout = request.timeout ?? configuration.requestTimeout
        let started = ContinuousClock.now
        do {
            let response = try await transport.execute(
                TransportRequest(
                    method: request.method, url: url, headers: headers, body: request.body, timeout: timeout,
                    streamsBody: request.verb == "WATCH"),
                logger: logger)
            requestMetrics.record(verb: request.verb, code: Int(response.status.code), duration: ContinuousClock.now - started)
            logger.trace(
                "request",
                metadata: [
                    "verb": "\(request.verb)", "url": "\(url)", "code": "\(response.status.code)",
                    "duration": "\(ContinuousClock.now - started)",
                ])
            return response
        } catch {
            requestMetrics.record(verb: request.verb, code: 0, duration: ContinuousClock.now - started)
            throw KubeClientError.transport("\(request.verb) \(url)", error)
        }
    }

    /// Reads an error answer into a ``KubeAPIError``, synthesising a `Status` when the body is not one.
    private func apiError(_ response: HTTPClientResponse, request: KubeRequest, url: String) async -> KubeAPIError {
        let code = Int(response.status.code)
        var bytes: [UInt8] = []
        do {
            bytes = Array(buffer: try await response.body.collect(upTo: 1 << 20))
        } catch {
            logger.debug("could not read an error body", metadata: ["url": "\(url)", "error": "\(error)"])
        }
        var status =
            KubeClient.decodeStatus(bytes)
            ?? KubeStatus(code: code, reason: response.status.reasonPhrase, message: String(decoding: bytes.prefix(512), as: UTF8.self))
        if status.code == nil { status.code = code }
        let retryAfter = response.headers.first(name: "Retry-After").flatMap(Int.init).map {
            min(Duration.seconds($0), KubeClient.maximumRetryAfter)
        }
        return KubeAPIError(status: status, verb: request.verb, url: url, retryAfter: retryAfter)
    }

    static func decodeStatus(_ bytes: [UInt8]) -> KubeStatus? {
        guard let json = try? JSONValue(parsing: bytes), json["kind"]?.stringValue == "Status" else { return nil }
        return try? json.decode(as: KubeStatus.self)
    }
}
