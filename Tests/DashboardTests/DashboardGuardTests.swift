@testable import Dashboard
import Testing

/// The dashboard answers only itself: its own `Host`, its own `Origin`, and actions with the session's token.
@Suite struct DashboardGuardTests {
    let guardian = DashboardGuard(port: 9090, token: "secret-token")

    @Test func pagesAnswerTheirOwnHostAndOrigin() {
        #expect(guardian.refusal(method: "GET", host: "127.0.0.1:9090", origin: nil, token: nil) == nil)
        #expect(guardian.refusal(method: "GET", host: "localhost:9090", origin: "http://localhost:9090", token: nil) == nil)
        #expect(guardian.refusal(method: "GET", host: "LOCALHOST:9090", origin: nil, token: nil) == nil)
    }

    @Test func anotherHostIsDNSRebindingAndRefused() {
        for host in ["evil.example:9090", "127.0.0.1:9091", "127.0.0.1", "", "127.0.0.1:9090.evil.example"] {
            #expect(guardian.refusal(method: "GET", host: host, origin: nil, token: nil)?.contains("is not this dashboard's") == true, "\(host)")
        }
        #expect(guardian.refusal(method: "GET", host: nil, origin: nil, token: nil)?.contains("missing") == true)
    }

    @Test func anotherOriginOrAMissingTokenIsRefused() {
        #expect(
            guardian.refusal(method: "POST", host: "127.0.0.1:9090", origin: "http://evil.example", token: "secret-token")
                == "refused: a request from http://evil.example (only this dashboard's own pages may ask)")
        #expect(
            guardian.refusal(method: "POST", host: "127.0.0.1:9090", origin: "http://127.0.0.1:9090", token: nil)
                == "refused: the action has no valid session token")
        #expect(guardian.refusal(method: "POST", host: "127.0.0.1:9090", origin: nil, token: "secret-tokeN") != nil)
        #expect(guardian.refusal(method: "POST", host: "127.0.0.1:9090", origin: "http://127.0.0.1:9090", token: "secret-token") == nil)
        #expect(guardian.refusal(method: "GET", host: "127.0.0.1:9090", origin: "null", token: nil) != nil, "a sandboxed frame's null origin")
    }

    @Test func tokensAreFreshAndLongAndEveryAnswerCarriesTheStrictPolicy() {
        let (a, b) = (DashboardGuard.newToken(), DashboardGuard.newToken())
        #expect(a != b && a.count == 64 && a.allSatisfy(\.isHexDigit))
        let policy = DashboardGuard.headers.first { $0.0 == "Content-Security-Policy" }?.1 ?? ""
        #expect(policy.contains("default-src 'none'") && policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"))
        #expect(!policy.contains("unsafe"), "no unsafe-inline, no unsafe-eval")
    }
}
