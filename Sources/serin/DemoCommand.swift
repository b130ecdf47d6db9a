#if Sandbox
import ArgumentParser
import Demo
import Foundation

/// `serin demo`: the whole rollout story on an embedded cluster.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Show a good release promoted and a bad one rolled back, on an embedded cluster (needs kubectl, prometheus, hey).",
        discussion: "Run it from the repository (it applies crds/ and docs/examples/httpbin.yaml). Exits 0 only when the story happened as expected.")

    @Flag(help: "Leave everything running after the story, until Ctrl-C.")
    var keep = false

    @Option(help: "Colours and Unicode bars: auto (a terminal without NO_COLOR), always or never.")
    var color = "auto"

    @Option(help: "The folder with the CRDs.")
    var crds = "crds"

    @Option(help: "The manifests to apply (namespace, Deployment, HPA, MetricTemplate, Canary).")
    var example = "docs/examples/httpbin.yaml"

    func validate() throws {
        guard ["auto", "always", "never"].contains(color) else { throw ValidationError("--color: \"\(color)\" is not auto, always or never") }
    }

    func run() async throws {
        var options = DemoOptions()
        options.keep = keep
        options.crds = crds
        options.example = example
        options.color = color == "always" || color == "auto" && DemoOptions.terminalSupportsColor()
        let console = DemoConsole(color: options.color)
        let story = Task { await DemoStory.run(options, console: console) }
        // Ctrl-C or SIGTERM cancels the story, which then stops everything it started.
        let signals = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { story.cancel() }
            source.resume()
            return source
        }
        let status = await story.value
        for source in signals { source.cancel() }
        if status != 0 { throw ExitCode(status) }
    }
}
#endif
