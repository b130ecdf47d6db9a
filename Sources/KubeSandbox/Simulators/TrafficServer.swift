import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import KubeCore
import NIOCore
import NIOHTTP1

/// The sandbox's traffic port: `/metrics` for Prometheus, and an HTTP proxy for cluster service names.
///
/// Point a client's `HTTP_PROXY` at this port and `http://httpbin-canary.demo:8000/headers` reaches the
/// workloads behind that Service (or VirtualService, by its weights); the requests are answered with each
/// workload's staged behaviour and counted in the same Istio series the traffic simulator writes. A
/// Service without a selector whose Endpoints point at a loopback address is forwarded there for real.
struct TrafficServer: Sendable {
    let resolver: ServiceResolver
    let metrics: TrafficMetrics
    /// With a real data plane: mesh requests go through Envoy, and `/metrics` is Envoy's statistics.
    var envoy: EnvoyDataPlane?

    var responder: CallbackResponder<BasicRequestContext> {
        CallbackResponder { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 16 << 20)
            return await self.respond(request, body: body)
        }
    }

    private func respond(_ request: Request, body: ByteBuffer) async -> Response {
        let (host, port) = target(request)
        guard let host else {
            switch request.uri.path {
            case "/metrics":
                let exposition = if let envoy { await envoy.exposition() } else { await metrics.exposition() }
                return text(exposition, contentType: "text/plain; version=0.0.4")
            case "/healthz": return text("ok")
            default: return text("not found: use /metrics, or send proxied requests for cluster services\n", status: 404)
            }
        }
        let route = await resolver.resolve(host: host, port: port, request: TrafficServer.attributes(of: request))
        if let envoy {
            switch route {
            case .forward(let address, let port): return await forward(request, body: body, to: "http://\(address):\(port)")
            case .notFound(let reason): return text("serin sandbox proxy: \(reason)\n", status: 502)
            case .weighted, .backends: return await forward(request, body: body, to: "http://127.0.0.1:\(envoy.listenerPort)", host: host)
            }
        }
        switch route {
        case .weighted(let routing):
            if let mirror = routing.mirror, let copy = mirror.backends.randomElement(), Double.random(in: 0..<100) < mirror.percent {
                Task { _ = await answer(from: copy, host: host) }  // the mirrored copy: counted, its answer dropped
            }
            let destination = pick(routing.destinations)
            return await answer(
                from: destination?.backends.randomElement(), host: host, headers: destination?.responseHeaders ?? [:], via: destination?.via)
        case .backends(let backends):
            return await answer(from: backends.randomElement(), host: host)
        case .forward(let address, let port):
            return await forward(request, body: body, to: "http://\(address):\(port)")
        case .notFound(let reason):
            return text("serin sandbox proxy: \(reason)\n", status: 502)
        }
    }

    /// The cluster host a request is for: the absolute-form URI's host, or a Host header that is not loopback.
    private func target(_ request: Request) -> (String?, Int?) {
        if let host = request.uri.host, !host.isEmpty, !TrafficServer.isLoopback(host) { return (host, request.uri.port) }
        guard let authority = request.head.authority else { return (nil, nil) }
        let parts = authority.split(separator: ":", maxSplits: 1).map(String.init)
        guard let host = parts.first, !TrafficServer.isLoopback(host) else { return (nil, nil) }
        return (host, parts.count > 1 ? Int(parts[1]) : nil)
    }

    /// What the mesh matches routes on: method, path, query and headers (names in lower case).
    static func attributes(of request: Request) -> RequestAttributes {
        var headers: [String: String] = [:]
        for field in request.headers {
            headers[field.name.canonicalName] = headers[field.name.canonicalName].map { "\($0), \(field.value)" } ?? field.value
        }
        if headers["host"] == nil, let authority = request.head.authority ?? request.uri.host { headers["host"] = authority }
        var query: [String: String] = [:]
        for item in URLComponents(string: "http://x/?\(request.uri.query ?? "")")?.queryItems ?? [] { query[item.name] = item.value ?? "" }
        return RequestAttributes(method: request.method.rawValue, path: request.uri.path, query: query, headers: headers)
    }

    static func isLoopback(_ host: String) -> Bool { host == "localhost" || host.hasPrefix("127.") || host == "[::1]" || host == "::1" }

    /// A destination drawn by weight among those with workloads to answer.
    private func pick(_ destinations: [ServiceResolver.Destination]) -> ServiceResolver.Destination? {
        let usable = destinations.filter { $0.weight > 0 && !$0.backends.isEmpty }
        let total = usable.reduce(0) { $0 + $1.weight }
        guard total > 0 else { return nil }
        var draw = Double.random(in: 0..<total)
        for destination in usable {
            if draw < destination.weight { return destination }
            draw -= destination.weight
        }
        return usable.last
    }

    /// A synthetic answer with the workload's staged latency and error ratio, counted in the metrics, with
    /// the headers the route adds to it.
    private func answer(
        from backend: ServiceResolver.Backend?, host: String, headers added: [String: String] = [:],
        via hop: ProxyHop? = nil
    ) async -> Response {
        guard let backend else { return text("no healthy upstream for \(host)\n", status: 503) }
        var generator = SystemRandomNumberGenerator()
        let latency = backend.behaviour.sampleLatency(using: &generator)
        let failed = Double.random(in: 0..<1) < backend.behaviour.errorRatio
        try? await Task.sleep(for: .milliseconds(Int64(min(latency, 10_000))))
        let destination = TrafficMetrics.Destination(
            workload: backend.workload, namespace: backend.namespace, serviceName: backend.serviceName, revision: backend.revision)
        await metrics.record(destination, code: failed ? 500 : 200, latencyMilliseconds: latency)
        if let hop { await metrics.record(hop, code: failed ? 500 : 200, latencyMilliseconds: latency, count: 1) }
        let body: JSONValue = ["workload": .string(backend.workload), "namespace": .string(backend.namespace), "host": .string(host)]
        var response = text(body.jsonString + "\n", status: failed ? 500 : 200, contentType: "application/json")
        for (name, value) in added.sorted(by: { $0.key < $1.key }) {
            if let field = HTTPField.Name(name) { response.headers.append(HTTPField(name: field, value: value)) }
        }
        return response
    }

    /// Relays a request to `base` (with `host` as its `Host`, for Envoy's virtual hosts).
    private func forward(_ request: Request, body: ByteBuffer, to base: String, host: String? = nil) async -> Response {
        var outgoing = HTTPClientRequest(url: base + request.uri.path + (request.uri.query.map { "?\($0)" } ?? ""))
        outgoing.method = .init(rawValue: request.method.rawValue)
        for field in request.headers where field.name.canonicalName != "host" { outgoing.headers.add(name: field.name.rawName, value: field.value) }
        if let host { outgoing.headers.add(name: "Host", value: host) }
        if body.readableBytes > 0 { outgoing.body = .bytes(body) }
        do {
            let response = try await HTTPClient.shared.execute(outgoing, timeout: .seconds(60))
            let bytes = try await response.body.collect(upTo: 16 << 20)
            var headers = HTTPFields()
            // The body is relayed decoded and re-framed here: drop the upstream's framing and encoding headers.
            let dropped: Set<String> = ["transfer-encoding", "content-length", "content-encoding", "connection", "keep-alive"]
            for header in response.headers where !dropped.contains(header.name.lowercased()) {
                if let name = HTTPField.Name(header.name) { headers.append(HTTPField(name: name, value: header.value)) }
            }
            return Response(status: .init(code: Int(response.status.code)), headers: headers, body: ResponseBody(byteBuffer: bytes))
        } catch {
            return text("serin sandbox proxy: failed to forward to \(base): \(error)\n", status: 502)
        }
    }

    private func text(_ body: String, status: Int = 200, contentType: String = "text/plain") -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: .init(code: status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
