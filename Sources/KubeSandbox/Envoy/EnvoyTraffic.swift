import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Synthetic requests through Envoy: every VirtualService's host gets its `sandbox.serin.dev/rps` (or
/// ``TrafficSimulator/defaultRequestsPerSecond``) as real HTTP requests to Envoy's listener, which splits
/// them by the live route weights. Unlike ``TrafficSimulator``'s exact fractions, what each workload gets
/// is Envoy's draw.
actor EnvoyTraffic {
    let plane: EnvoyDataPlane
    let tick: Duration
    private var owed: [String: Double] = [:]
    private var inFlight = 0
    static let maximumInFlight = 64

    init(plane: EnvoyDataPlane, tick: Duration) {
        self.plane = plane
        self.tick = tick
    }

    func run() async {
        var last = ContinuousClock.now
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                do { try await Task.sleep(for: tick) } catch { return }
                let now = ContinuousClock.now
                let seconds = Double((now - last).components.seconds) + Double((now - last).components.attoseconds) / 1e18
                last = now
                for host in await plane.mesh.virtualHosts {
                    guard let rate = host.requestsPerSecond, let domain = host.domains.first else { continue }
                    owed[host.name, default: 0] += rate * seconds
                    while owed[host.name, default: 0] >= 1, inFlight < EnvoyTraffic.maximumInFlight {
                        owed[host.name, default: 0] -= 1
                        inFlight += 1
                        let port = plane.listenerPort
                        group.addTask { await self.send(host: domain, port: port) }
                    }
                }
            }
        }
    }

    private func send(host: String, port: Int) async {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/")
        request.headers.add(name: "Host", value: host)
        if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(15)) {
            _ = try? await response.body.collect(upTo: 1 << 20)
        }
        inFlight -= 1
    }
}
