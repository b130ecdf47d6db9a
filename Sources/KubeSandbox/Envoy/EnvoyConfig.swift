import KubeCore

/// Envoy's configuration for an ``EnvoyMesh``: the bootstrap, the listener (LDS), its routes (RDS) and the clusters (CDS), as
/// JSON documents Envoy reads from files. A pure function of the mesh and the ports.
///
/// Each upstream (a workload through a Service) is a cluster with a name the caller keeps for it (its
/// statistics are read back by that name), whose one endpoint is the sandbox's backend for that workload. Routes keep the VirtualService's order (the first match wins, as in Istio):
/// `uri` (`exact`, `prefix`, `regex`), `headers` and `withoutHeaders`, `queryParams` and `method` become route
/// matches (regular expressions in RE2, matched whole); weights become `weighted_clusters` (a destination
/// with several workloads splits its weight evenly); `mirror` and `mirrorPercentage` become
/// `request_mirror_policies`; `headers.response.add` becomes `response_headers_to_add`.
enum EnvoyConfig {
    static func bootstrap(adminPort: Int, listenersPath: String, clustersPath: String) -> JSONValue {
        [
            "node": ["id": "serin-sandbox", "cluster": "serin-sandbox"],
            // Histograms reach the admin page at each flush (5 s by default): every second, for 10 s query windows.
            "stats_flush_interval": "1s",
            "admin": ["address": ["socket_address": ["address": "127.0.0.1", "port_value": .int(adminPort)]]],
            "dynamic_resources": [
                "lds_config": ["resource_api_version": "V3", "path_config_source": ["path": .string(listenersPath)]],
                "cds_config": ["resource_api_version": "V3", "path_config_source": ["path": .string(clustersPath)]],
            ],
        ]
    }

    /// The clusters, by name, each with its backend's port.
    static func clusters(_ ports: [(name: String, port: Int)]) -> JSONValue {
        .object([
            "resources": .array(
                ports.map { name, port in
                    [
                        "@type": "type.googleapis.com/envoy.config.cluster.v3.Cluster",
                        "name": .string(name), "type": "STATIC", "connect_timeout": "1s",
                        "load_assignment": [
                            "cluster_name": .string(name),
                            "endpoints": [
                                ["lb_endpoints": [["endpoint": ["address": ["socket_address": ["address": "127.0.0.1", "port_value": .int(port)]]]]]]
                            ],
                        ],
                    ]
                })
        ])
    }

    /// The listener on `port`; its routes come from `routesPath` (RDS), so a change of routes reaches
    /// connections already open at once, where a new listener would leave them draining on the old one.
    static func listener(port: Int, routesPath: String) -> JSONValue {
        let manager: JSONValue = [
            "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
            "stat_prefix": "mesh", "strip_any_host_port": true,
            "rds": [
                "route_config_name": "mesh",
                "config_source": ["resource_api_version": "V3", "path_config_source": ["path": .string(routesPath)]],
            ],
            "http_filters": [
                [
                    "name": "envoy.filters.http.router",
                    "typed_config": ["@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"],
                ]
            ],
        ]
        return [
            "resources": [
                [
                    "@type": "type.googleapis.com/envoy.config.listener.v3.Listener", "name": "mesh",
                    "address": ["socket_address": ["address": "127.0.0.1", "port_value": .int(port)]],
                    "filter_chains": [["filters": [["name": "envoy.filters.network.http_connection_manager", "typed_config": manager]]]],
                ]
            ]
        ]
    }

    /// The routes (RDS), to the clusters `names` gives each upstream.
    static func routeConfiguration(_ mesh: EnvoyMesh, names index: [EnvoyMesh.Upstream: String]) -> JSONValue {
        let hosts: [JSONValue] = mesh.virtualHosts.map { host in
            [
                "name": .string(host.name), "domains": .array(host.domains.map(JSONValue.string)),
                "routes": .array(host.routes.flatMap { routes($0, index: index) }),
            ]
        }
        return [
            "resources": [
                [
                    "@type": "type.googleapis.com/envoy.config.route.v3.RouteConfiguration", "name": "mesh",
                    "virtual_hosts": .array(hosts),
                ]
            ]
        ]
    }

    /// One Envoy route per `match` block (Envoy's routes hold one match each), all with the same action.
    static func routes(_ route: EnvoyMesh.Route, index: [EnvoyMesh.Upstream: String]) -> [JSONValue] {
        var clusters: [JSONValue] = []
        for destination in route.destinations where !destination.upstreams.isEmpty {
            let share = Int((destination.weight * 100 / Double(destination.upstreams.count)).rounded())
            for upstream in destination.upstreams {
                var cluster: JSONValue = ["name": .string(index[upstream] ?? "unknown"), "weight": .int(share)]
                if !destination.responseHeaders.isEmpty { cluster["response_headers_to_add"] = headers(destination.responseHeaders) }
                clusters.append(cluster)
            }
        }
        let blocks = route.matches.isEmpty ? [JSONValue.object([:])] : route.matches
        if clusters.allSatisfy({ $0["weight"] == 0 }) {  // nothing ready to answer: Envoy's 503, as Istio's sidecar gives
            let answer: JSONValue = ["status": 503, "body": ["inline_string": "no healthy upstream\n"]]
            return blocks.map { ["match": match($0), "direct_response": answer] }
        }
        var action: JSONValue = ["weighted_clusters": ["clusters": .array(clusters.filter { $0["weight"] != 0 })]]
        if let mirror = route.mirror, !mirror.upstreams.isEmpty {
            action["request_mirror_policies"] = .array(
                mirror.upstreams.map { upstream in
                    [
                        "cluster": .string(index[upstream] ?? "unknown"),
                        "runtime_fraction": [
                            "default_value": [
                                "numerator": .int(Int(mirror.percent * 100 / Double(mirror.upstreams.count))),
                                "denominator": "TEN_THOUSAND",
                            ]
                        ],
                    ]
                })
        }
        return blocks.map { block in ["match": match(block), "route": action] }
    }

    /// The conditions of a `match` block that Envoy is told; a block with any other (`sourceLabels`, `port`…)
    /// never holds, as in the simulator.
    static let translatedConditions: Set<String> = ["uri", "headers", "withoutHeaders", "queryParams", "method", "name"]

    static func match(_ block: JSONValue) -> JSONValue {
        var match: JSONValue = ["prefix": "/"]
        if (block.objectValue ?? [:]).keys.contains(where: { !translatedConditions.contains($0) }) {
            match["headers"] = [["name": "x-serin-sandbox-unmatchable", "present_match": true]]
            return match
        }
        if let uri = block["uri"] {
            match["prefix"] = nil
            if let exact = uri["exact"] { match["path"] = exact }
            if let prefix = uri["prefix"] { match["prefix"] = prefix }
            if let regex = uri["regex"] { match["safe_regex"] = ["regex": regex] }
            if match["path"] == nil && match["safe_regex"] == nil && match["prefix"] == nil { match["prefix"] = "/" }
        }
        var headers: [JSONValue] = []
        for (name, condition) in block["headers"]?.objectValue ?? [:] { headers.append(header(name, condition, invert: false)) }
        for (name, condition) in block["withoutHeaders"]?.objectValue ?? [:] { headers.append(header(name, condition, invert: true)) }
        if let method = block["method"] { headers.append(header(":method", method, invert: false)) }
        if !headers.isEmpty { match["headers"] = .array(headers) }
        let queries: [JSONValue] = (block["queryParams"]?.objectValue ?? [:]).map { name, condition in
            ["name": .string(name), "string_match": stringMatch(condition)]
        }
        if !queries.isEmpty { match["query_parameters"] = .array(queries) }
        return match
    }

    private static func header(_ name: String, _ condition: JSONValue, invert: Bool) -> JSONValue {
        var header: JSONValue = ["name": .string(name), "string_match": stringMatch(condition)]
        if invert { header["invert_match"] = true }
        return header
    }

    private static func stringMatch(_ condition: JSONValue) -> JSONValue {
        if let exact = condition["exact"] { return ["exact": exact] }
        if let prefix = condition["prefix"] { return ["prefix": prefix] }
        if let regex = condition["regex"] { return ["safe_regex": ["regex": regex]] }
        return ["safe_regex": ["regex": ".*"]]
    }

    private static func headers(_ added: [String: String]) -> JSONValue {
        .array(
            added.sorted { $0.key < $1.key }.map {
                ["header": ["key": .string($0.key), "value": .string($0.value)], "append_action": "APPEND_IF_EXISTS_OR_ADD"]
            })
    }
}
