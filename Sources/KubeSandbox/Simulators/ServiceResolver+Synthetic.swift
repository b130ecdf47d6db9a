import Foundation
import KubeCore

extension ServiceResolver {
    /// How synthetic traffic (no path, no headers) goes through each routing object of each mesh and ingress:
    /// every Istio VirtualService, Gateway API route, SMI TrafficSplit, TraefikService, Gloo RouteTable,
    /// Contour HTTPProxy with routes, each host APISIX routes, and every Ingress but ingress-nginx's canaries.
    func syntheticRoutings() async -> [Routing] {
        var routings: [Routing] = []
        if let type = await type("virtualservices", group: "networking.istio.io"), let page = try? await store.list(type, namespace: nil) {
            for virtualService in page.items {
                let namespace = virtualService[path: "metadata", "namespace"]?.stringValue ?? "default"
                routings.append(await routing(of: virtualService, namespace: namespace, request: .synthetic))
            }
        }
        for route in await httpRoutes() { routings.append(await routing(ofHTTPRoute: route, request: .synthetic)) }
        for split in await trafficSplits() { routings.append(await routing(ofTrafficSplit: split)) }
        for service in await traefik("traefikservices") { routings.append(await routing(ofTraefikService: service)) }
        let upstreams = await gloo("upstreams", group: "gloo.solo.io")
        for table in await gloo("routetables", group: "gateway.solo.io") {
            if let routing = await routing(ofRouteTable: table, request: .synthetic, upstreams: upstreams) { routings.append(routing) }
        }
        for host in await apisixHosts() {
            if let routing = await apisixRouting(host: host, request: .synthetic) { routings.append(routing) }
        }
        for proxy in await httpProxies() {
            if let routing = await routing(ofHTTPProxy: proxy, request: .synthetic) { routings.append(routing) }
        }
        for ingress in await ingresses() where !IngressRouting.isCanary(ingress) {
            if let routing = await ingressRouting(host: nil, request: .synthetic, main: ingress) { routings.append(routing) }
        }
        return routings
    }
}
