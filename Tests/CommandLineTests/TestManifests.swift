/// The manifests the command-line tests roll out: namespace `demo`, a Deployment ready 100 ms after each
/// change (`kennethreitz/httpbin:v1`), and a Canary without metrics.
enum TestManifests {
    static func plain(_ name: String, port: Int, analysis: String) -> String {
        """
        apiVersion: v1
        kind: Namespace
        metadata: {name: demo}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: \(name), namespace: demo, labels: {app: \(name)}}
        spec:
          replicas: 1
          selector: {matchLabels: {app: \(name)}}
          template:
            metadata: {labels: {app: \(name)}, annotations: {sandbox.serin.dev/ready-after: 100ms}}
            spec: {containers: [{name: \(name), image: "kennethreitz/httpbin:v1"}]}
        ---
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: \(name), namespace: demo}
        spec:
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: \(name)}
          service: {port: \(port)}
          analysis: {\(analysis)}
        """
    }
}
