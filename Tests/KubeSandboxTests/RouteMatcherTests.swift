@testable import KubeAPIServer
import KubeClient
import KubeCore
import Testing
@testable import KubeSandbox

/// The sandbox picks HTTP routes as Istio does, so what a strategy routes is what the traffic sees.
@Suite struct RouteMatcherTests {
    let abRoutes: [JSONValue] = [
        [
            "match": [["headers": ["x-canary": ["exact": "insider"]]], ["headers": ["cookie": ["regex": "^(.*?;)?(canary=always)(;.*)?$"]]]],
            "route": [["destination": ["host": "canary"]]],
        ],
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

/// The resolver follows a root VirtualService's `delegate` into the delegate, as Istio does.
@Suite struct DelegationRoutingTests {
    @Test func aRootVirtualServiceDelegatesToTheCanarysDelegate() async throws {
        let cluster = try await InMemoryCluster.start()
        let client = cluster.client()
        defer { Task { try await client.shutdown() } }
        let virtualServices = KubeResource(
            group: "networking.istio.io", version: "v1beta1", kind: "VirtualService", plural: "virtualservices", namespaced: true)
        for (name, labels) in [("podinfo-primary", "podinfo-primary"), ("podinfo", "podinfo")] {
            let deployment: JSONValue = [
                "metadata": ["name": .string(name)],
                "spec": [
                    "replicas": 1, "selector": ["matchLabels": ["app": .string(labels)]],
                    "template": ["metadata": ["labels": ["app": .string(labels)]], "spec": ["containers": [["name": "app", "image": "x"]]]],
                ],
            ]
            _ = try await client.resource(.deployments, as: JSONValue.self).create(deployment, namespace: "default")
            _ = try await client.resource(.deployments, as: JSONValue.self).patch(
                name, namespace: "default",
                patch: .merge(["status": ["replicas": 1, "readyReplicas": 1, "availableReplicas": 1]]), subresource: "status")
            _ = try await client.resource(.services, as: JSONValue.self).create(
                ["metadata": ["name": .string(name)], "spec": ["selector": ["app": .string(labels)], "ports": [["port": 80]]]], namespace: "default")
        }
        _ = try await client.resource(virtualServices, as: JSONValue.self).create(
            ["metadata": ["name": "root"], "spec": ["hosts": ["app.example.com"], "http": [["delegate": ["name": "podinfo"]]]]], namespace: "default")
        _ = try await client.resource(virtualServices, as: JSONValue.self).create(
            [
                "metadata": ["name": "podinfo"],
                "spec": [
                    "hosts": [],
                    "http": [
                        [
                            "route": [
                                ["destination": ["host": "podinfo-primary"], "weight": 30],
                                ["destination": ["host": "podinfo"], "weight": 70],
                            ]
                        ]
                    ],
                ],
            ],
            namespace: "default")
        guard
            case .weighted(let routing) = await ServiceResolver(store: cluster.store, meshes: SimulatedMesh.defaults).resolve(
                host: "app.example.com", port: nil)
        else {
            Issue.record("the root host is not routed by its VirtualService")
            return
        }
        #expect(routing.destinations.map(\.weight) == [30, 70], "the delegate's weights")
        #expect(routing.destinations.map { $0.backends.map(\.workload) } == [["podinfo-primary"], ["podinfo"]])
    }

    @Test func theIngressGatewaysServiceRoutesByTheVirtualServicesBoundToItsGateway() async throws {
        let cluster = try await InMemoryCluster.start()
        let client = cluster.client()
        defer { Task { try await client.shutdown() } }
        let istio = { (kind: String, plural: String) in
            KubeResource(group: "networking.istio.io", version: "v1beta1", kind: kind, plural: plural, namespaced: true)
        }
        let gatewayLabels: JSONValue = ["istio": "ingressgateway"]
        _ = try await client.resource(.services, as: JSONValue.self).create(
            ["metadata": ["name": "istio-ingressgateway"], "spec": ["selector": gatewayLabels, "ports": [["port": 80]]]], namespace: "default")
        _ = try await client.resource(.services, as: JSONValue.self).create(
            ["metadata": ["name": "web"], "spec": ["selector": ["app": "web"], "ports": [["port": 80]]]], namespace: "default")
        _ = try await client.resource(istio("Gateway", "gateways"), as: JSONValue.self).create(
            ["metadata": ["name": "public"], "spec": ["selector": gatewayLabels, "servers": [["hosts": ["*"]]]]], namespace: "default")
        let route: JSONValue = ["route": [["destination": ["host": "web"]]]]
        _ = try await client.resource(istio("VirtualService", "virtualservices"), as: JSONValue.self).create(
            ["metadata": ["name": "unbound"], "spec": ["hosts": ["*"], "http": [route]]], namespace: "default")
        _ = try await client.resource(istio("VirtualService", "virtualservices"), as: JSONValue.self).create(
            [
                "metadata": ["name": "bound"],
                "spec": [
                    "hosts": ["shop.example.com"], "gateways": ["default/public"],
                    "http": [["match": [["uri": ["prefix": "/shop"]]], "route": [["destination": ["host": "web"], "weight": 100]]]],
                ],
            ],
            namespace: "default")
        let resolver = ServiceResolver(store: cluster.store, meshes: SimulatedMesh.defaults)
        let shop = RequestAttributes(method: "GET", path: "/shop", headers: ["host": "shop.example.com"])
        guard case .weighted(let routing) = await resolver.resolve(host: "istio-ingressgateway", port: 80, request: shop) else {
            Issue.record("the gateway's Service is not routed by the bound VirtualService")
            return
        }
        #expect(routing.destinations.map(\.weight) == [100])
        let other = RequestAttributes(method: "GET", path: "/shop", headers: ["host": "other.example.com"])
        guard case .backends = await resolver.resolve(host: "istio-ingressgateway", port: 80, request: other) else {
            Issue.record("a host no bound VirtualService names must not be routed by one")
            return
        }
    }
}
