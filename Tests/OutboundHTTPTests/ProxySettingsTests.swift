import Foundation
import OutboundHTTP
import Testing

@Suite struct ProxySettingsTests {
    let settings = ProxySettings.fromEnvironment([
        "HTTP_PROXY": "http://proxy.local:3128", "https_proxy": "proxy.local:3129",
        "NO_PROXY": "internal.example.com, .corp, 10.0.0.0/8, api:8443, 192.168.1.5",
    ])

    @Test func readsUppercaseThenLowercaseVariables() {
        #expect(settings.httpProxy?.absoluteString == "http://proxy.local:3128")
        #expect(settings.httpsProxy?.absoluteString == "http://proxy.local:3129", "a proxy without a scheme is http")
    }

    @Test(arguments: [
        ("http://prometheus.istio-system:9090/api", true), ("https://hooks.example.org/x", true),
        ("http://internal.example.com/", false), ("http://a.internal.example.com/", false), ("http://x.corp/", false),
        ("http://10.1.2.3:9090/", false), ("http://11.1.2.3/", true), ("https://api:8443/", false), ("https://api:443/", true),
        ("http://192.168.1.5/", false), ("http://127.0.0.1:9090/", false), ("http://localhost/", false),
    ])
    func noProxyMatchesLikeGo(url: String, proxied: Bool) {
        #expect((settings.proxy(for: URL(string: url)!) != nil) == proxied, "\(url)")
    }

    @Test func aStarDisablesProxying() {
        let none = ProxySettings.fromEnvironment(["HTTP_PROXY": "http://p:1", "NO_PROXY": "*"])
        #expect(none.proxy(for: URL(string: "http://anything/")!) == nil)
    }
}
