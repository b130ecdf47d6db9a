import Foundation

/// What keeps the dashboard to its user: it answers only requests addressed to itself (`Host`: no DNS
/// rebinding), from its own pages (`Origin`: no cross-site action), and carries out an action only with the
/// session's token, which only its own pages hold. Every answer carries a strict Content-Security-Policy. Pure.
public struct DashboardGuard: Sendable {
    /// The port the dashboard listens on.
    public let port: Int
    /// The session's token, in each page; an action must send it back (`X-Serin-Token`).
    public let token: String

    public init(port: Int, token: String) {
        self.port = port
        self.token = token
    }

    /// A new random token (256 bits, hex).
    public static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
    }

    /// The headers every answer carries: scripts, styles and connections from the dashboard itself only, no
    /// framing, no referrer, no caching, no type sniffing.
    public static let headers: [(String, String)] = [
        (
            "Content-Security-Policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        ),
        ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"), ("Cache-Control", "no-store"),
        ("X-Frame-Options", "DENY"),
    ]

    /// Why a request is refused (403), `nil` when it may be answered.
    ///
    /// - Parameters:
    ///   - host: the `Host` header; it must name this dashboard (`127.0.0.1:<port>` or `localhost:<port>`).
    ///   - origin: the `Origin` header, when the browser sent one; it must be this dashboard's.
    ///   - token: the `X-Serin-Token` header; required for anything but GET and HEAD.
    public func refusal(method: String, host: String?, origin: String?, token sent: String?) -> String? {
        let ours = ["127.0.0.1:\(port)", "localhost:\(port)"]
        guard let host, ours.contains(host.lowercased()) else {
            return
                "refused: the Host \(host.map { "\"\($0)\"" } ?? "header is missing and") is not this dashboard's (\(ours.joined(separator: " or ")))"
        }
        if let origin, !ours.map({ "http://\($0)" }).contains(origin.lowercased()) {
            return "refused: a request from \(origin) (only this dashboard's own pages may ask)"
        }
        guard method != "GET" && method != "HEAD" else { return nil }
        guard let sent, DashboardGuard.equal(sent, token) else { return "refused: the action has no valid session token" }
        return nil
    }

    /// Compares in time independent of where the two differ.
    static func equal(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
