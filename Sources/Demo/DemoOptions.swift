import Foundation

/// How `serin demo` runs.
public struct DemoOptions: Sendable {
    /// The folder with Serin's CRDs (`crds/` of the repository).
    public var crds = "crds"
    /// The user's example: namespace, Deployment, HPA, MetricTemplate and Canary.
    public var example = "docs/examples/httpbin.yaml"
    /// Leave everything running after the story, until Ctrl-C.
    public var keep = false
    /// Colours and Unicode bars (a terminal that supports them), or plain ASCII.
    public var color = false
    /// The longest one act of the story may take.
    public var actTimeout: Duration = .seconds(150)

    public init() {}

    /// Colours when standard output is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`.
    public static func terminalSupportsColor(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        isatty(STDOUT_FILENO) == 1 && environment["NO_COLOR"].map(\.isEmpty) ?? true && environment["TERM"] != "dumb"
    }
}
