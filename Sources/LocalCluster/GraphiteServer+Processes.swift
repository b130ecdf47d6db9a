import ChildProcesses
import Foundation
import KubeCore
import KubeSandbox
import NIOCore
import NIOPosix

/// How a ``GraphiteServer``'s programs start and how it knows they answer.
extension GraphiteServer {
    /// Three distinct free ports: the line receiver, carbonlink and graphite-web.
    static func freePorts() throws -> Ports {
        var ports: [Int] = []
        for _ in 0..<20 where ports.count < 3 {
            let port = try FreePort.next()
            if !ports.contains(port) { ports.append(port) }
        }
        guard ports.count == 3 else { throw SetupFailure(description: "failed to start Graphite: no three distinct free ports") }
        return Ports(line: ports[0], query: ports[1], web: ports[2])
    }

    /// Starts the Python script `arguments[0]` with the rest as its arguments in `folder`, signals unblocked
    /// (``runUnblocked``), its output in `<folder>/<name>.out`.
    /// Through posix_spawn (``SpawnedProcess``: Foundation's `Process.run()` can crash a process with many open
    /// files) and `/usr/bin/env -C <folder>`.
    static func launch(_ name: String, _ arguments: [String], folder: String) throws -> SpawnedProcess {
        let output = "\(folder)/\(name).out"
        guard FileManager.default.createFile(atPath: output, contents: nil), let handle = FileHandle(forWritingAtPath: output),
            let null = FileHandle(forReadingAtPath: "/dev/null")
        else {
            throw SetupFailure(description: "failed to start \(name): cannot create \(output)")
        }
        defer { for file in [handle, null] { try? file.close() } }  // the child has its own
        do {
            return try SpawnedProcess(
                path: "/usr/bin/env", arguments: ["-C", folder, python, "-c", runUnblocked] + arguments,
                environment: ProcessInfo.processInfo.environment.merging(environment(folder)) { _, ours in ours },
                standardInput: null.fileDescriptor, standardOutput: handle.fileDescriptor, standardError: handle.fileDescriptor)
        } catch { throw SetupFailure(description: "failed to start \(name): \(error)") }
    }

    /// Creates graphite-web's SQLite tables (about 2 s): `/render` works without them, `/metrics/find` and
    /// tags do not.
    static func migrate(_ folder: String) async throws {
        var command = Command(python, [djangoAdmin, "migrate", "--run-syncdb", "--noinput"], environment: environment(folder))
        command.directory = URL(fileURLWithPath: folder)
        command.mergesErrors = true
        let result = try await command.run(within: .seconds(120))
        guard result.status == 0 else {
            throw SetupFailure(description: "failed to migrate graphite-web's database: exit \(result.status): \(tail(result.stdout))")
        }
    }

    /// Polls until carbon's two ports accept and graphite-web renders, failing at once when either program exits.
    func waitUntilAnswering(within timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            try checkRunning()
            if await answers() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        try checkRunning()
        throw SetupFailure(
            description: "failed to start Graphite: not answering after \(timeout) (ports \(ports.line), \(ports.query), \(ports.web));"
                + " carbon-cache's output ends: \(output("carbon-cache")); graphite-web's output ends: \(output("graphite-web"))")
    }

    private func checkRunning() throws {
        for (name, process) in [("carbon-cache", carbon), ("graphite-web", web)] where !process.isRunning {
            throw ProgramExited(
                description: "failed to start \(name): it exited with status \(process.terminationStatus); its output ends: \(output(name))")
        }
    }

    /// A program of Graphite's exited while it started.
    struct ProgramExited: Error, CustomStringConvertible {
        var description: String
    }

    /// Whether carbon's line and query ports accept and `/render?target=test` answers.
    private func answers() async -> Bool {
        for port in [ports.line, ports.query] {
            do { try await GraphiteServer.connect(port: port).executeThenClose { _, _ in } } catch { return false }
        }
        do { return try await render("test").arrayValue != nil } catch { return false }
    }

    /// The end of a program's output file, for an error message.
    private func output(_ name: String) -> String {
        do { return GraphiteServer.tail(try String(contentsOfFile: "\(folder)/\(name).out", encoding: .utf8)) } catch {
            return "(unreadable: \(error))"
        }
    }

    /// The last 2,000 characters of `text`.
    static func tail(_ text: String) -> String {
        text.count > 2000 ? "…" + text.suffix(2000) : text
    }

    /// A TCP connection to `port` on loopback.
    static func connect(port: Int) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
    }
}
