@testable import KubeAPIServer
import KubeClient
import KubeCore
import Testing
@testable import KubeSandbox

/// Each simulated mesh is one registration: what a cluster installs and which routings the resolver consults
/// follow the list of meshes given, in its order.
@Suite struct SimulatedMeshTests {
    static let ingresses = KubeResource(group: "networking.k8s.io", version: "v1", kind: "Ingress", plural: "ingresses", namespaced: true)
    static let virtualServices = KubeResource(
        group: "networking.istio.io", version: "v1beta1", kind: "VirtualService", plural: "virtualservices", namespaced: true)

    @Test func everyMeshHasItsOwnNameAndTheDefaultsAreAllButGloo() {
        let names = SimulatedMesh.all.map(\.name)
        #expect(Set(names).count == names.count, "\(names)")
        #expect(SimulatedMesh.defaults.map(\.name) == names.filter { $0 != "gloo" })
        #expect(SimulatedMesh.named("traefik")?.name == "traefik")
        #expect(SimulatedMesh.named("linkerd") == nil)
        #expect(SimulatedMesh.defaults.removing("istio", "keda").map(\.name) == names.filter { !["gloo", "istio", "keda"].contains($0) })
    }

    @Test func aClusterHoldsTheCRDsAndNamespacesOfItsMeshesOnly() async throws {
        let traefikOnly = try await InMemoryCluster.start(meshes: [.traefik])
        #expect(await traefikOnly.store.type(plural: "ingressroutes", group: "traefik.io") != nil)
        #expect(await traefikOnly.store.type(plural: "virtualservices", group: "networking.istio.io") == nil)
        #expect(await namespaces(traefikOnly) == ClusterSeed.systemNamespaces.sorted())

        let istio = try await InMemoryCluster.start(meshes: [.istio])
        #expect(await istio.store.type(plural: "virtualservices", group: "networking.istio.io") != nil)
        #expect(await istio.store.type(plural: "ingressroutes", group: "traefik.io") == nil)
        #expect(await namespaces(istio) == (ClusterSeed.systemNamespaces + ["istio-system"]).sorted())
    }

    @Test func aMeshLeftOutRoutesNothingAndTheFirstMeshNamingAHostRoutesIt() async throws {
        let cluster = try await InMemoryCluster.start(meshes: SimulatedMesh.defaults)
        let client = cluster.client()
        defer { Task { try await client.shutdown() } }
        for name in ["by-istio", "by-ingress"] { try await readyWorkload(name, client: client) }
        _ = try await client.resource(SimulatedMeshTests.ingresses, as: JSONValue.self).create(
            [
                "metadata": ["name": "shop"],
                "spec": [
                    "rules": [
                        [
                            "host": "shop.example.com",
                            "http": [
                                "paths": [
                                    ["path": "/", "pathType": "Prefix", "backend": ["service": ["name": "by-ingress", "port": ["number": 80]]]]
                                ]
                            ],
                        ]
                    ]
                ],
            ], namespace: "default")
        #expect(await workloads(host: "shop.example.com", cluster: cluster, meshes: [.ingressNGINX]) == ["by-ingress"])
        #expect(await workloads(host: "shop.example.com", cluster: cluster, meshes: []) == nil, "no ingress controller routes it")

        _ = try await client.resource(SimulatedMeshTests.virtualServices, as: JSONValue.self).create(
            ["metadata": ["name": "shop"], "spec": ["hosts": ["shop.example.com"], "http": [["route": [["destination": ["host": "by-istio"]]]]]]],
            namespace: "default")
        #expect(await workloads(host: "shop.example.com", cluster: cluster, meshes: SimulatedMesh.defaults) == ["by-istio"], "Istio comes first")
        #expect(await workloads(host: "shop.example.com", cluster: cluster, meshes: [.ingressNGINX, .istio]) == ["by-ingress"])
    }

    /// The workloads a request for `host` reaches through `meshes`, `nil` when none routes it.
    private func workloads(host: String, cluster: InMemoryCluster, meshes: [SimulatedMesh]) async -> [String]? {
        let request = RequestAttributes(method: "GET", path: "/", headers: ["host": host])
        guard
            case .weighted(let routing) = await ServiceResolver(store: cluster.store, meshes: meshes).resolve(host: host, port: nil, request: request)
        else { return nil }
        return routing.destinations.flatMap { $0.backends.map(\.workload) }
    }

    private func namespaces(_ cluster: InMemoryCluster) async -> [String] {
        guard let type = await cluster.store.type(plural: "namespaces"), let page = try? await cluster.store.list(type, namespace: nil) else {
            return []
        }
        return page.items.compactMap { $0[path: "metadata", "name"]?.stringValue }.sorted()
    }

    /// A Deployment with a ready pod and its Service, both called `name`.
    private func readyWorkload(_ name: String, client: KubeClient) async throws {
        let labels: JSONValue = ["app": .string(name)]
        let deployment: JSONValue = [
            "metadata": ["name": .string(name)],
            "spec": [
                "replicas": 1, "selector": ["matchLabels": labels],
                "template": ["metadata": ["labels": labels], "spec": ["containers": [["name": "app", "image": "x"]]]],
            ],
        ]
        _ = try await client.resource(.deployments, as: JSONValue.self).create(deployment, namespace: "default")
        _ = try await client.resource(.deployments, as: JSONValue.self).patch(
            name, namespace: "default", patch: .merge(["status": ["replicas": 1, "readyReplicas": 1, "availableReplicas": 1]]), subresource: "status")
        _ = try await client.resource(.services, as: JSONValue.self).create(
            ["metadata": ["name": .string(name)], "spec": ["selector": labels, "ports": [["port": 80]]]], namespace: "default")
    }
}
