import SerinTesting

/// The manifests the command-line tests roll out: namespace `demo`, a Deployment ready 100 ms after each
/// change (`kennethreitz/httpbin:v1`), and a Canary without metrics.
enum TestManifests {
    static func plain(_ name: String, port: Int, analysis: String) -> String {
        Fixtures.documents(Fixtures.demoNamespace, Fixtures.workload(name), Fixtures.canary(name, port: port, analysis: analysis))
    }
}
