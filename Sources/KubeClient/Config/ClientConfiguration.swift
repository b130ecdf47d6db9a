import Foundation
import NIOSSL

/// Everything the client needs to reach one API server: the result of loading a kubeconfig or the
/// in-cluster configuration.
public struct ClientConfiguration: Sendable {
    /// The API server's base URL, for example `https://10.0.0.1:6443`.
    public var server: URL
    /// How the server's certificate is checked and which certificate the client presents.
    public var tls: TLSSettings
    /// How requests are authenticated.
    public var authentication: Authentication
    /// The namespace of the selected context (`default` when it names none).
    public var namespace: String
    /// An HTTP proxy for every request (`clusters[].cluster.proxy-url`).
    public var proxy: URL?
    /// How long establishing a connection (TCP and TLS) may take before a request fails.
    ///
    /// Kept short (3 s by default) so that an unreachable or mis-certified server fails fast instead of
    /// being retried for the whole request deadline.
    public var connectTimeout: Duration = .seconds(3)
    /// How long a kept-alive connection may stay unused before it is closed (AsyncHTTPClient's 60 s).
    public var idleConnectionTimeout: Duration = .seconds(60)
    /// The deadline of a request other than a watch.
    public var requestTimeout: Duration = .seconds(30)
    /// The sustained client-side request rate (client-go's default: 5 per second). Zero or less: unlimited.
    public var qps: Double = 5
    /// The burst above ``qps`` (client-go's default: 10).
    public var burst: Int = 10
    /// The `User-Agent` header.
    public var userAgent: String = "serin/\(SerinVersion.current) (\(SerinVersion.platform))"
    /// Checked before every write; leader election uses it to fence a replica that is not the leader.
    public var writeFence: (any WriteFence)?
    /// The kubeconfig user entry of the selected context (`nil` in-cluster or without one): who a command
    /// says asked for what it writes.
    public var userName: String?
    /// Where the configuration came from, for messages: `kubeconfig /path (context kind-dev)` or `in-cluster`.
    public var source: String
    /// Whether this cluster is another than the one holding the owners of what is written through it (the
    /// service mesh's control-plane cluster, `--kubeconfig-service-mesh`): an owner reference cannot cross
    /// clusters, so owned objects name their owner by annotation (``KubeRuntime/OwnedObjectApplier``).
    public var separateCluster = false

    public init(
        server: URL, tls: TLSSettings = TLSSettings(), authentication: Authentication = .none,
        namespace: String = "default", source: String
    ) {
        self.server = server
        self.tls = tls
        self.authentication = authentication
        self.namespace = namespace
        self.source = source
    }
}

/// The TLS side of a ``ClientConfiguration``.
public struct TLSSettings: Sendable {
    /// The certificate authorities trusted for the server, or `nil` for the system's.
    public var trustRoots: [NIOSSLCertificate]?
    /// Skip verifying the server's certificate (`insecure-skip-tls-verify`). Dangerous; for development only.
    public var insecureSkipVerify: Bool
    /// The name to verify the server's certificate against and send as SNI, instead of the URL's host.
    public var serverName: String?
    /// The client certificate chain presented to the server.
    public var clientCertificateChain: [NIOSSLCertificate]
    /// The private key of the client certificate.
    public var clientKey: NIOSSLPrivateKey?

    public init(
        trustRoots: [NIOSSLCertificate]? = nil, insecureSkipVerify: Bool = false, serverName: String? = nil,
        clientCertificateChain: [NIOSSLCertificate] = [], clientKey: NIOSSLPrivateKey? = nil
    ) {
        self.trustRoots = trustRoots
        self.insecureSkipVerify = insecureSkipVerify
        self.serverName = serverName
        self.clientCertificateChain = clientCertificateChain
        self.clientKey = clientKey
    }
}

/// How requests are authenticated. A client certificate is part of ``TLSSettings`` and can be combined
/// with any of these.
public enum Authentication: Sendable {
    case none
    /// A fixed bearer token.
    case bearerToken(String)
    /// A bearer token read from a file, re-read at least once a minute (projected service-account tokens rotate).
    case tokenFile(path: String)
    /// HTTP basic authentication.
    case basic(username: String, password: String)
    /// A token obtained by running an exec credential plugin, refreshed before it expires.
    case exec(ExecConfig, clusterInfo: JSONValue?)
}

/// The version of Serin, shown in the `User-Agent` and by `serin --version`.
public enum SerinVersion {
    /// The released version; set by the release process from `VERSION`.
    public static let current = "0.1.0"

    static var platform: String {
        #if os(Linux)
        return "linux"
        #else
        return "darwin"
        #endif
    }
}

import KubeCore
