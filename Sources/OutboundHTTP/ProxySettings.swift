import Foundation

/// `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY`, read and matched the way Go programs (Flagger) do.
///
/// - Lowercase variables are read when the uppercase ones are unset.
/// - Loopback destinations (`localhost`, `127.0.0.0/8`, `::1`) are never proxied.
/// - `NO_PROXY` is a comma-separated list of `*`, host names (matching the name and its subdomains; a
///   leading `.` is allowed), `host:port`, IP addresses and CIDR ranges.
public struct ProxySettings: Sendable, Equatable {
    public var httpProxy: URL?
    public var httpsProxy: URL?
    public var noProxy: [String]

    public init(httpProxy: URL? = nil, httpsProxy: URL? = nil, noProxy: [String] = []) {
        self.httpProxy = httpProxy
        self.httpsProxy = httpsProxy
        self.noProxy = noProxy
    }

    /// The settings of this process's environment.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> ProxySettings {
        func read(_ name: String) -> String? {
            (environment[name] ?? environment[name.lowercased()]).flatMap { $0.isEmpty ? nil : $0 }
        }
        func url(_ text: String?) -> URL? {
            guard let text else { return nil }
            return URL(string: text.contains("://") ? text : "http://\(text)")
        }
        let noProxy = (read("NO_PROXY") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        return ProxySettings(httpProxy: url(read("HTTP_PROXY")), httpsProxy: url(read("HTTPS_PROXY")), noProxy: noProxy.filter { !$0.isEmpty })
    }

    /// The proxy to use for `url`, or `nil` to connect directly.
    public func proxy(for url: URL) -> URL? {
        guard let host = url.host?.lowercased() else { return nil }
        let proxy = url.scheme == "https" ? httpsProxy : httpProxy
        guard let proxy, !ProxySettings.isLoopback(host) else { return nil }
        let port = url.port ?? (url.scheme == "https" ? 443 : 80)
        return noProxy.contains { excludes($0, host: host, port: port) } ? nil : proxy
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
    }

    private func excludes(_ entry: String, host: String, port: Int) -> Bool {
        if entry == "*" { return true }
        var name = entry
        if let colon = entry.lastIndex(of: ":"), !entry.contains("/"), entry.filter({ $0 == ":" }).count == 1 {
            guard Int(entry[entry.index(after: colon)...]) == port else { return false }
            name = String(entry[..<colon])
        }
        if name.contains("/") { return ProxySettings.cidr(name, contains: host) }
        if name.hasPrefix(".") { name.removeFirst() }
        return host == name || host.hasSuffix("." + name)
    }

    /// Whether an IPv4 CIDR (`10.0.0.0/8`) contains `host`.
    static func cidr(_ range: String, contains host: String) -> Bool {
        let parts = range.split(separator: "/")
        guard parts.count == 2, let bits = Int(parts[1]), (0...32).contains(bits),
            let network = ipv4(String(parts[0])), let address = ipv4(host)
        else { return false }
        let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << (32 - bits)
        return network & mask == address & mask
    }

    static func ipv4(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".").compactMap { UInt8($0) }
        guard octets.count == 4, text.split(separator: ".").count == 4 else { return nil }
        return octets.reduce(0) { $0 << 8 | UInt32($1) }
    }
}
