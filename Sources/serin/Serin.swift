import ArgumentParser
import Foundation
import KubeClient
import KubeCore

/// The `serin` command: one binary, several jobs. Subcommands appear as they become usable.
@main
struct Serin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serin",
        abstract: "Progressive delivery for Kubernetes, compatible with Flagger's API.",
        version: SerinVersion.current,
        subcommands: [OperatorCommand.self, LoadTesterCommand.self] + Serin.sandboxCommands + [
            ClusterInfo.self,
            GetCommand.self, StatusCommand.self, WatchCommand.self, ExplainCommand.self, PromoteCommand.self, AbortCommand.self, RetryCommand.self,
            UndoCommand.self, PauseCommand.self, DashboardCommand.self, PolicyCommand.self, OverrideCommand.self,
            ResumeCommand.self, ReferenceCommand.self,
        ]
    )

    /// `serin demo` and `serin sandbox`, in a build with the `Sandbox` trait (the default; not the image's).
    #if Sandbox
    static let sandboxCommands: [any ParsableCommand.Type] = [DemoCommand.self, SandboxCommand.self]
    #else
    static let sandboxCommands: [any ParsableCommand.Type] = []
    #endif
}

/// Writes lines to standard output unbuffered, so progress reaches pipes and log files as it happens;
/// credentials in them (a URL's password, a hook's token) are redacted (``Redaction``).
enum Console {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((Redaction.scrub(text) + "\n").utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((Redaction.scrub(text) + "\n").utf8))
    }
}
