import KubeCore
@testable import KubeSandbox
import Testing

/// The sandbox picks HTTP routes as Istio does, so what a strategy routes is what the traffic sees.
@Suite struct RouteMatcherTests {
    let abRoutes: [JSONValue] = [
        ["match": [["headers": ["x-canary": ["exact": "insider"]]], ["headers": ["cookie": ["regex": "^(.*?;)?(canary=always)(;.*)?$"]]]],
         "route": [["destination": ["host": "canary"]]]],
        ["route": [["destination": ["host": "primary"]]]],
    ]

    func host(_ request: RequestAttributes) -> String? {
        RouteMatcher.firstRoute(abRoutes, for: request)?["route"]?[0]?[path: "destination", "host"]?.stringValue
    }

    @Test func aMatchingHeaderOrCookieTakesTheFirstRouteAndEverythingElseTheDefault() {
        #expect(host(RequestAttributes(path: "/", headers: ["x-canary": "insider"])) == "canary")
        #expect(host(RequestAttributes(path: "/", headers: ["cookie": "canary=always; session=1"])) == "canary")
        #expect(host(RequestAttributes(path: "/", headers: ["x-canary": "outsider"])) == "primary")
        #expect(host(.synthetic) == "primary", "synthetic traffic carries no header")
    }

    @Test func uriPrefixQueryAndMethodConditionsHoldTogether() {
        let block: JSONValue = ["uri": ["prefix": "/api"], "queryParams": ["beta": ["exact": "1"]], "method": ["exact": "GET"]]
        #expect(RouteMatcher.holds(block, for: RequestAttributes(method: "GET", path: "/api/x", query: ["beta": "1"])))
        #expect(!RouteMatcher.holds(block, for: RequestAttributes(method: "GET", path: "/web", query: ["beta": "1"])))
        #expect(!RouteMatcher.holds(block, for: RequestAttributes(method: "POST", path: "/api/x", query: ["beta": "1"])))
        #expect(!RouteMatcher.holds(["sourceLabels": ["app": "x"]], for: .synthetic), "a condition the sandbox cannot judge does not hold")
        #expect(RouteMatcher.holds(["uri": ["prefix": "/api"]], for: .synthetic), "synthetic traffic stands for any path")
    }
}
