import Foundation
@testable import KubeClient
import KubeCore
import Testing
import Yams

/// A kubeconfig with one cluster, one context and the given user body.
func kubeconfig(user: String, server: String = "https://127.0.0.1:6443", cluster: String = "", namespace: String = "") -> String {
    """
    apiVersion: v1
    kind: Config
    current-context: dev
    clusters:
    - name: dev-cluster
      cluster:
        server: \(server)
    \(cluster.isEmpty ? "" : cluster.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
    contexts:
    - name: dev
      context:
        cluster: dev-cluster
        user: dev-user
    \(namespace.isEmpty ? "" : "    namespace: \(namespace)")
    users:
    - name: dev-user
      user:
    \(user.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
    """
}

@Suite struct KubeconfigAuthTests {
    func load(_ text: String, context: String? = nil) throws -> ClientConfiguration {
        let folder = try TemporaryFolder()
        let file = try folder.write("config", text)
        return try KubeconfigLoader(files: [file]).configuration(context: context)
    }

    @Test func bearerToken() throws {
        let configuration = try load(kubeconfig(user: "token: abc123", namespace: "demo"))
        guard case .bearerToken("abc123") = configuration.authentication else { Issue.record("\(configuration.authentication)"); return }
        #expect(configuration.server.absoluteString == "https://127.0.0.1:6443")
        #expect(configuration.namespace == "demo")
    }

    @Test func tokenFileIsResolvedAgainstTheKubeconfigFolder() throws {
        let folder = try TemporaryFolder()
        try folder.write("secrets/token", "t0ken\n")
        let file = try folder.write("config", kubeconfig(user: "tokenFile: secrets/token"))
        let configuration = try KubeconfigLoader(files: [file]).configuration()
        guard case .tokenFile(let path) = configuration.authentication else { Issue.record("\(configuration.authentication)"); return }
        #expect(path == folder.path + "/secrets/token")
    }

    @Test func basicAuth() throws {
        let configuration = try load(kubeconfig(user: "username: admin\npassword: s3cret"))
        guard case .basic("admin", "s3cret") = configuration.authentication else { Issue.record("\(configuration.authentication)"); return }
    }

    @Test(arguments: ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"])
    func execPlugin(version: String) throws {
        let user = """
            exec:
              apiVersion: \(version)
              command: aws
              args: [eks, get-token]
              env: [{name: AWS_PROFILE, value: prod}]
              interactiveMode: Never
              provideClusterInfo: true
            """
        let configuration = try load(kubeconfig(user: user))
        guard case .exec(let exec, let info) = configuration.authentication else { Issue.record("\(configuration.authentication)"); return }
        #expect(exec.command == "aws" && exec.args == ["eks", "get-token"] && exec.env?.first?.value == "prod")
        #expect(exec.interactiveMode == .never)
        #expect(info?["server"] == "https://127.0.0.1:6443")
    }

    @Test func clientCertificateFromDataAndFromFiles() async throws {
        let pki = try await TestPKI.shared.get()
        let pair = try #require(pki.clients["ec"])
        let inline = try load(
            kubeconfig(
                user: "client-certificate-data: \(base64(pair.certificate))\nclient-key-data: \(base64(pair.key))",
                cluster: "certificate-authority-data: \(base64(pki.caCertificate))"))
        #expect(inline.tls.clientCertificateChain.count == 1 && inline.tls.clientKey != nil)
        #expect(inline.tls.trustRoots?.count == 1)

        let folder = try TemporaryFolder()
        try folder.write("pki/client.crt", pair.certificate)
        try folder.write("pki/client.key", pair.key)
        try folder.write("pki/ca.crt", pki.caCertificate)
        let file = try folder.write(
            "config",
            kubeconfig(
                user: "client-certificate: pki/client.crt\nclient-key: pki/client.key", cluster: "certificate-authority: pki/ca.crt"))
        let fromFiles = try KubeconfigLoader(files: [file]).configuration()
        #expect(fromFiles.tls.clientKey != nil && fromFiles.tls.trustRoots?.count == 1)
        guard case .none = fromFiles.authentication else { Issue.record("a certificate alone needs no other auth"); return }
    }

    @Test func clusterOptions() throws {
        let configuration = try load(
            kubeconfig(
                user: "token: x", cluster: "insecure-skip-tls-verify: true\ntls-server-name: kube.test\nproxy-url: http://proxy.local:3128"))
        #expect(configuration.tls.insecureSkipVerify)
        #expect(configuration.tls.serverName == "kube.test")
        #expect(configuration.proxy?.absoluteString == "http://proxy.local:3128")
    }

    @Test func aContextWithoutAUserIsAnonymous() throws {
        let text = """
            current-context: anon
            clusters: [{name: c, cluster: {server: "http://127.0.0.1:8080"}}]
            contexts: [{name: anon, context: {cluster: c}}]
            """
        guard case .none = try load(text).authentication else { Issue.record("expected anonymous"); return }
    }
}

@Suite struct KubeconfigMergeTests {
    @Test func kubeconfigFilesMergeTheWayKubectlMergesThem() throws {
        let one = try TemporaryFolder()
        let two = try TemporaryFolder()
        let first = try one.write(
            "config",
            """
            current-context: a
            clusters: [{name: shared, cluster: {server: "https://first:6443"}}]
            contexts: [{name: a, context: {cluster: shared, user: u}}]
            users: [{name: u, user: {token: first-token}}]
            """)
        try two.write("token", "second-file-token")
        let second = try two.write(
            "config",
            """
            current-context: b
            clusters:
            - {name: shared, cluster: {server: "https://second:6443"}}
            - {name: own, cluster: {server: "https://own:6443"}}
            contexts: [{name: b, context: {cluster: own, user: v, namespace: team-b}}]
            users: [{name: u, user: {token: ignored}}, {name: v, user: {tokenFile: token}}]
            """)
        let environment = ["KUBECONFIG": "\(first):/does/not/exist:\(second)", "HOME": "/nowhere"]
        let loader = try KubeconfigLoader(explicitPath: nil, environment: environment)
        #expect(loader.currentContextName == "a", "the first file to set current-context wins")
        #expect(loader.contextNames == ["a", "b"])

        let current = try loader.configuration()
        #expect(current.server.host == "first", "the first file to define a cluster name wins")
        guard case .bearerToken("first-token") = current.authentication else { Issue.record("\(current.authentication)"); return }

        let other = try loader.configuration(context: "b")
        #expect(other.server.host == "own" && other.namespace == "team-b")
        guard case .tokenFile(let path) = other.authentication else { Issue.record("\(other.authentication)"); return }
        #expect(path == two.path + "/token", "relative paths resolve against the file that defined them")
    }

    @Test func explicitPathWinsOverKUBECONFIG() throws {
        let folder = try TemporaryFolder()
        let explicit = try folder.write("explicit", kubeconfig(user: "token: explicit"))
        let files = try KubeconfigLoader.files(explicitPath: explicit, environment: ["KUBECONFIG": "/x"])
        #expect(files == [explicit])
    }

    @Test func homeKubeconfigIsTheLastResort() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write(".kube/config", kubeconfig(user: "token: home"))
        #expect(try KubeconfigLoader.files(explicitPath: nil, environment: ["HOME": folder.path]) == [file])
    }
}

@Suite struct KubeconfigErrorTests {
    static let cases: [(String, String, String)] = [
        ("clusters: {}", "clusters", "expected a list"),
        (kubeconfig(user: "token: x", server: "not a url"), "clusters[0].cluster.server", "is not an http(s) URL"),
        (
            "current-context: dev\nclusters: [{name: c, cluster: {}}]\ncontexts: [{name: dev, context: {cluster: c}}]",
            "clusters[0].cluster.server", "required key is missing"
        ),
        (
            kubeconfig(user: "token: x").replacingOccurrences(of: "current-context: dev", with: "current-context: nope"),
            "current-context", "context \"nope\" not found (known: dev)"
        ),
        (
            kubeconfig(user: "token: x").replacingOccurrences(of: "cluster: dev-cluster", with: "cluster: ghost"),
            "contexts[0].context.cluster", "cluster \"ghost\" not found"
        ),
        (
            kubeconfig(user: "token: x").replacingOccurrences(of: "user: dev-user", with: "user: ghost"),
            "contexts[0].context.user", "user \"ghost\" not found"
        ),
        (kubeconfig(user: "client-certificate-data: '%%%'\nclient-key-data: eA=="), "users[0].user.client-certificate-data", "not valid base64"),
        (
            kubeconfig(user: "client-certificate-data: \(base64("hello"))\nclient-key-data: \(base64("x"))"),
            "users[0].user.client-certificate-data", "not a PEM certificate"
        ),
        (
            kubeconfig(user: "token: x", cluster: "certificate-authority: /no/such/ca.crt"), "clusters[0].cluster.certificate-authority",
            "cannot read /no/such/ca.crt"
        ),
        (kubeconfig(user: "token: a\nusername: b\npassword: c"), "users[0].user", "more than one authentication method (token, basic auth)"),
        (kubeconfig(user: "auth-provider: {name: gcp}"), "users[0].user.auth-provider", "auth-provider \"gcp\" is not supported"),
        (
            kubeconfig(user: "exec: {apiVersion: client.authentication.k8s.io/v1alpha1, command: x}"), "users[0].user.exec.apiVersion",
            "is not supported"
        ),
        (
            kubeconfig(user: "exec: {apiVersion: client.authentication.k8s.io/v1, command: x}"), "users[0].user.exec.interactiveMode",
            "required for client.authentication.k8s.io/v1"
        ),
        (
            kubeconfig(user: "token: x", cluster: "insecure-skip-tls-verify: yes-please"), "clusters[0].cluster.insecure-skip-tls-verify",
            "expected true or false"
        ),
        ("clusters: [{name: c, cluster: {server: 'https://x'}}]", "current-context", "not set and no context was given"),
    ]

    @Test(arguments: cases)
    func eachProblemNamesTheFileAndKey(text: String, key: String, reason: String) throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("config", text)
        #expect {
            try KubeconfigLoader(files: [file]).configuration()
        } throws: { error in
            guard let error = error as? KubeconfigError else { return false }
            let ok = error.file?.contains(file) == true && error.key == key && error.reason.contains(reason)
            if !ok { Issue.record("got: \(error)") }
            return ok && error.description.hasPrefix("failed to load kubeconfig \(file): \(key): ")
        }
    }

    @Test func aClientCertificateWithoutAKeyIsRefused() async throws {
        let pki = try await TestPKI.shared.get()
        let folder = try TemporaryFolder()
        let file = try folder.write("config", kubeconfig(user: "client-certificate-data: \(base64(pki.caCertificate))"))
        #expect(throws: KubeconfigError(file: file, key: "users[0].user.client-certificate-data", reason: "a client certificate needs a client key"))
        {
            try KubeconfigLoader(files: [file]).configuration()
        }
    }

    @Test func missingFilesAreNamed() {
        #expect(throws: KubeconfigError(file: "/no/such/config", key: nil, reason: "no such file")) {
            try KubeconfigLoader(explicitPath: "/no/such/config", environment: [:])
        }
        #expect(throws: KubeconfigError.self) { try KubeconfigLoader(explicitPath: nil, environment: ["KUBECONFIG": "/a:/b"]) }
    }

    @Test func invalidYAMLIsReportedWithTheFile() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("config", "clusters: [unclosed")
        #expect {
            try KubeconfigLoader(files: [file])
        } throws: { error in
            // The parser's own account (where it stopped) is kept, not only "not valid YAML".
            guard let error = error as? KubeconfigError else { return false }
            return error.file == file && error.reason.hasPrefix("not valid YAML: ") && error.reason.contains("line")
        }
    }

    /// Merge keys are parsed when a file has them; a file without `<<` is read without the merge rule, and
    /// plain `true`/`false` scalars are still booleans.
    @Test func mergeKeysAndPlainBooleansAreRead() throws {
        let shared = """
            apiVersion: v1
            current-context: b
            clusters:
            - name: base
              cluster: &base {server: 'https://base:6443', insecure-skip-tls-verify: true}
            - name: other
              cluster:
                <<: *base
                server: https://other:6443
            contexts:
            - {name: b, context: {cluster: other, user: u}}
            users:
            - {name: u, user: {token: t}}
            """
        #expect(KubeconfigLoader.yamlResolver(for: shared) !== Resolver.basic)
        let merged = try KubeconfigAuthTests().load(shared)
        #expect(merged.server.absoluteString == "https://other:6443")
        #expect(merged.tls.insecureSkipVerify)
        let plain = kubeconfig(user: "token: x", cluster: "insecure-skip-tls-verify: true")
        #expect(KubeconfigLoader.yamlResolver(for: plain) === Resolver.basic)
        #expect(try KubeconfigAuthTests().load(plain).tls.insecureSkipVerify)
    }
}

@Suite struct InClusterConfigTests {
    @Test func readsTheServiceAccountFiles() async throws {
        let pki = try await TestPKI.shared.get()
        let folder = try TemporaryFolder()
        try folder.write("token", "sa-token")
        try folder.write("ca.crt", pki.caCertificate)
        try folder.write("namespace", "serin-system\n")
        let environment = ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"]
        let configuration = try InClusterConfig.load(environment: environment, directory: folder.path)
        #expect(configuration.server.absoluteString == "https://[fd00::1]:443")
        #expect(configuration.namespace == "serin-system")
        #expect(configuration.tls.trustRoots?.count == 1)
        guard case .tokenFile(let path) = configuration.authentication else { Issue.record("\(configuration.authentication)"); return }
        #expect(path == folder.path + "/token")
    }

    @Test func explainsWhatIsMissing() throws {
        let folder = try TemporaryFolder()
        #expect(throws: KubeconfigError(file: nil, key: "KUBERNETES_SERVICE_PORT", reason: "not a port number: \"http\"")) {
            try InClusterConfig.load(environment: ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "http"])
        }
        #expect(throws: KubeconfigError(file: folder.path + "/token", key: nil, reason: "the service-account token cannot be read")) {
            try InClusterConfig.load(
                environment: ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"], directory: folder.path)
        }
    }

    @Test func inferencePrefersKUBECONFIGThenInClusterThenHome() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write(".kube/config", kubeconfig(user: "token: home"))
        let inCluster = ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443", "HOME": folder.path]
        #expect(try ClientConfiguration.infer(environment: inCluster.merging(["KUBECONFIG": file]) { $1 }).source.hasPrefix("kubeconfig"))
        // In a pod without the service-account files, the in-cluster error is the one reported.
        #expect(throws: KubeconfigError.self) { try ClientConfiguration.infer(environment: inCluster) }
        #expect(try ClientConfiguration.infer(environment: ["HOME": folder.path]).source.hasPrefix("kubeconfig \(file)"))
    }
}
