/// Manifests the test targets share, as the YAML a user applies with kubectl: one builder each instead of a
/// Deployment or a Canary copied into every target.
public enum Fixtures {
    /// The namespace `demo`, where the fixtures live.
    public static let demoNamespace = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: demo}
        """

    /// A workload `name` in `demo` labelled `app: <name>`: a Deployment (or `kind: DaemonSet`, with
    /// `replicas: nil`) with one container `name` running `image`, whose pods the sandbox makes ready 100 ms
    /// after each change.
    public static func workload(
        _ name: String, image: String = "kennethreitz/httpbin:v1", kind: String = "Deployment",
        replicas: Int? = 1
    ) -> String {
        """
        apiVersion: apps/v1
        kind: \(kind)
        metadata: {name: \(name), namespace: demo, labels: {app: \(name)}}
        spec:
        \(replicas.map { "  replicas: \($0)\n" } ?? "")\
          selector: {matchLabels: {app: \(name)}}
          template:
            metadata: {labels: {app: \(name)}, annotations: {sandbox.serin.dev/ready-after: 100ms}}
            spec: {containers: [{name: \(name), image: "\(image)"}]}
        """
    }

    /// A Canary `name` in `demo` for the Deployment `name`, with no metrics: each step passes as soon as it is
    /// due. `analysis` is the body of its flow mapping: `interval: 1s, threshold: 2, maxWeight: 50, stepWeight: 10`.
    public static func canary(_ name: String, port: Int, analysis: String) -> String {
        """
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: \(name), namespace: demo}
        spec:
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: \(name)}
          service: {port: \(port)}
          analysis: {\(analysis)}
        """
    }

    /// Joins manifests into one multi-document YAML stream.
    public static func documents(_ manifests: String...) -> String { manifests.joined(separator: "\n---\n") }
}
