import Foundation

/// The tools Flagger's load tester image bundles that Serin's cannot: `ghz` and `grpc_health_probe` are in
/// neither Debian nor PyPI, the only registries Serin's image is built from (Flagger's Dockerfile downloads
/// their release binaries). A command naming one that is not installed is refused with this explanation
/// rather than failing with the shell's "not found".
enum UnbundledTools {
    static let names: Set<String> = ["ghz", "grpc_health_probe"]

    /// The refusal for `command`, when it names a tool of ``names`` that is not installed (on `path`, or at
    /// the path the command gives).
    static func refusal(for command: String, path: String) -> String? {
        for word in words(command) {
            let name = String(word.split(separator: "/").last ?? word)
            guard names.contains(name) else { continue }
            let installed =
                word.contains("/") ? FileManager.default.isExecutableFile(atPath: String(word)) : ChildProcess.lookUp(name, in: path) != nil
            if installed { continue }
            return "\(name) is not bundled with serin loadtester: neither Debian nor PyPI, the registries its image is built from, "
                + "packages it; build an image FROM serin's with \(name) on PATH, or run it from a Job with a kubectl task"
        }
        return nil
    }

    /// The command's words, split at blanks and shell operators (enough to spot a program's name).
    static func words(_ command: String) -> [Substring] {
        command.split(whereSeparator: { " \t\n;|&()`'\"$<>=".contains($0) })
    }
}
