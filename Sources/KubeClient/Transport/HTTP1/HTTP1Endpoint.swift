import KubeCore
import NIOCore
import NIOSSL

/// Where ``PooledHTTPTransport`` connects, and how: one API server's origin.
struct HTTP1Endpoint: Sendable {
    /// `scheme://authority`, the part of every request URL before its path.
    var origin: String
    /// The `Host` header: the URL's authority.
    var authority: String
    /// The address connected to (a `tls-server-name` override's real host, or the URL's host).
    var connectHost: String
    var port: Int
    /// The TLS context for `https`, or why it could not be made; `nil` for `http`.
    var tls: Result<NIOSSLContext, HTTP1TransportError>?
    /// The name sent in SNI and verified in the certificate; `nil` when the host is an IP address (which
    /// is verified against the certificate's IP addresses instead).
    var serverHostname: String?
    var connectTimeout: TimeAmount

    /// The endpoint of `baseURL` (`scheme://authority[/prefix]`); `nil` for a scheme other than `http` or
    /// `https`, which the transport leaves to its fallback.
    init?(
        baseURL: String, dnsOverride: [String: String], tls configuration: TLSConfiguration, connectTimeout: Duration
    ) {
        let secure: Bool
        if baseURL.hasPrefix("https://") {
            secure = true
        } else if baseURL.hasPrefix("http://") {
            secure = false
        } else {
            return nil
        }
        let rest = baseURL.dropFirst(secure ? 8 : 7)
        let authority = String(rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" })
        guard !authority.isEmpty, !authority.contains("@"), let (host, port) = HTTP1Endpoint.split(authority) else { return nil }
        self.origin = (secure ? "https://" : "http://") + authority
        self.authority = authority
        self.connectHost = dnsOverride[host] ?? host
        self.port = port ?? (secure ? 443 : 80)
        self.serverHostname = HTTP1Endpoint.isIPAddress(host) ? nil : host
        self.connectTimeout = .nanoseconds(connectTimeout.clampedNanoseconds)
        guard secure else {
            self.tls = nil
            return
        }
        do {
            self.tls = .success(try NIOSSLContext(configuration: configuration))
        } catch {
            self.tls = .failure(.tlsSetup("\(error)"))
        }
    }

    /// The host (without an IPv6 literal's brackets) and the port, if the authority names one.
    static func split(_ authority: String) -> (String, Int?)? {
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            let host = String(authority[authority.index(after: authority.startIndex)..<close])
            let rest = authority[authority.index(after: close)...]
            guard !rest.isEmpty else { return (host, nil) }
            guard rest.first == ":", let port = Int(rest.dropFirst()), (1...65535).contains(port) else { return nil }
            return (host, port)
        }
        guard let colon = authority.lastIndex(of: ":") else { return (authority, nil) }
        guard let port = Int(authority[authority.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        return (String(authority[..<colon]), port)
    }

    static func isIPAddress(_ host: String) -> Bool {
        do {
            _ = try SocketAddress(ipAddress: host, port: 0)
            return true
        } catch {
            return false
        }
    }
}
