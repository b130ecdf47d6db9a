/// The on-disk kubeconfig format (`clientcmd/api/v1`), as read from one file.
///
/// Only what a client needs is modelled; other keys (`preferences`, `extensions`) are ignored.
struct KubeconfigFile: Decodable, Sendable {
    var currentContext: String?
    var clusters: [NamedCluster]?
    var users: [NamedUser]?
    var contexts: [NamedContext]?

    enum CodingKeys: String, CodingKey {
        case currentContext = "current-context"
        case clusters, users, contexts
    }
}

struct NamedCluster: Decodable, Sendable {
    var name: String
    var cluster: Cluster
}

struct NamedUser: Decodable, Sendable {
    var name: String
    var user: User
}

struct NamedContext: Decodable, Sendable {
    var name: String
    var context: Context
}

struct Cluster: Decodable, Sendable {
    var server: String?
    var certificateAuthority: String?
    var certificateAuthorityData: String?
    var insecureSkipTLSVerify: Bool?
    var tlsServerName: String?
    var proxyURL: String?

    enum CodingKeys: String, CodingKey {
        case server
        case certificateAuthority = "certificate-authority"
        case certificateAuthorityData = "certificate-authority-data"
        case insecureSkipTLSVerify = "insecure-skip-tls-verify"
        case tlsServerName = "tls-server-name"
        case proxyURL = "proxy-url"
    }
}

struct User: Decodable, Sendable {
    var token: String?
    var tokenFile: String?
    var clientCertificate: String?
    var clientCertificateData: String?
    var clientKey: String?
    var clientKeyData: String?
    var username: String?
    var password: String?
    var exec: ExecConfig?
    var authProvider: AuthProvider?

    struct AuthProvider: Decodable, Sendable { var name: String? }

    enum CodingKeys: String, CodingKey {
        case token, tokenFile, username, password, exec
        case clientCertificate = "client-certificate"
        case clientCertificateData = "client-certificate-data"
        case clientKey = "client-key"
        case clientKeyData = "client-key-data"
        case authProvider = "auth-provider"
    }
}

struct Context: Decodable, Sendable {
    var cluster: String?
    var user: String?
    var namespace: String?
}

/// An exec credential plugin (`users[].user.exec`).
public struct ExecConfig: Decodable, Sendable, Equatable {
    /// When the plugin may talk to the user on the terminal.
    public enum InteractiveMode: String, Decodable, Sendable {
        case never = "Never"
        case ifAvailable = "IfAvailable"
        case always = "Always"
    }

    /// A variable set in the plugin's environment.
    public struct EnvVar: Decodable, Sendable, Equatable {
        public var name: String
        public var value: String
    }

    /// `client.authentication.k8s.io/v1` or `client.authentication.k8s.io/v1beta1`.
    public var apiVersion: String?
    /// The program: a path (relative paths containing `/` are resolved against the kubeconfig's folder) or a
    /// name looked up in `PATH`.
    public var command: String
    public var args: [String]?
    public var env: [EnvVar]?
    public var installHint: String?
    public var provideClusterInfo: Bool?
    public var interactiveMode: InteractiveMode?

    public init(
        apiVersion: String, command: String, args: [String]? = nil, env: [EnvVar]? = nil,
        interactiveMode: InteractiveMode? = .never
    ) {
        self.apiVersion = apiVersion
        self.command = command
        self.args = args
        self.env = env
        self.interactiveMode = interactiveMode
    }
}
