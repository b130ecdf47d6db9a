import ChildProcesses
import Foundation
import SerinTesting
import Testing

/// A command run to completion gives its output and status, and leaves no program behind when it overruns
/// its deadline or its caller is cancelled.
@Suite struct CommandTests {
    @Test func theOutputErrorsAndStatusComeBackAndStdinIsRead() async throws {
        let script = "cat; echo out; echo err >&2; exit 3"
        let separate = try await Command("sh", ["-c", script], stdin: "in\n").run(within: .seconds(30))
        #expect(separate.status == 3)
        #expect(separate.stdout == "in\nout\n")
        #expect(separate.stderr == "err\n")

        var merged = Command("sh", ["-c", script], environment: ["GREETING": "hi"])
        merged.arguments = ["-c", "echo $GREETING; " + script]
        merged.mergesErrors = true
        let together = try await merged.run(within: .seconds(30))
        #expect(together.stdout == "hi\nout\nerr\n", "no stdin reads /dev/null; the variable is added")
        #expect(together.stderr.isEmpty)
    }

    /// A child gets its standard input, output and error and nothing else of this process: a pipe or socket
    /// it inherited would stay open as long as it lives (another child's stdin never reaching EOF).
    @Test func aChildInheritsNoDescriptorButItsThreeStandardOnes() async throws {
        var pipeEnds: [Int32] = [0, 0]
        try #require(pipe(&pipeEnds) == 0)
        defer { for end in pipeEnds { close(end) } }
        let listed = try await Command("sh", ["-c", "ls /proc/$$/fd"]).run(within: .seconds(30))
        let descriptors = listed.stdout.split(separator: "\n").compactMap { Int($0) }.sorted()
        #expect(descriptors.count >= 3 && descriptors.allSatisfy { $0 <= 3 }, "only 0, 1, 2 (and sh's own directory read): \(descriptors)")
        #expect(!descriptors.contains(Int(pipeEnds[1])) || pipeEnds[1] <= 3, "the open pipe is not inherited")
    }

    @Test func aProgramPastItsDeadlineIsStoppedWithItsChildrenAndNamed() async throws {
        let pidFile = temporaryFile()
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        // sh starts sleep as a child: the whole group must go.
        let command = Command("sh", ["-c", "sleep 60 & echo $! > \(pidFile); wait"])
        await #expect(throws: ProcessTimeout.self) { try await command.run(within: .milliseconds(500)) }
        let child = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(try await eventually(timeout: .seconds(10)) { !isAlive(child) }, "the sleep sh started is gone")
    }

    @Test func aCancelledCallerLeavesNoProgramRunning() async throws {
        let pidFile = temporaryFile()
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        let task = Task { try await Command("sh", ["-c", "echo $$ > \(pidFile); exec sleep 60"]).run(within: .seconds(120)) }
        #expect(try await eventually(timeout: .seconds(10)) { ((try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? "").hasSuffix("\n") })
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(try await eventually(timeout: .seconds(10)) { !isAlive(pid) }, "the program is stopped")
    }

    /// Started without Foundation's `Process` (swift-corelibs-foundation#5472): in its own directory when asked,
    /// in a process group of its own, with no signal blocked (a blocked `SIGTERM` would make every stop a kill).
    @Test func aProgramStartsInItsDirectoryGroupAndWithSignalsUnblocked() async throws {
        var command = Command("sh", ["-c", "pwd; grep -E '^SigBlk' /proc/self/status; ps -o pgid= -p $$; echo $$"])
        command.directory = URL(fileURLWithPath: "/tmp")
        let lines = try await command.run(within: .seconds(30)).stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.first == "/tmp", "\(lines)")
        #expect(lines.dropFirst().first == "SigBlk:\t0000000000000000", "\(lines)")
        #expect(lines.count == 4 && lines[2] == lines[3], "the leader of its own group: \(lines)")
    }

    private func temporaryFile() -> String { NSTemporaryDirectory() + "serin-command-test-\(UUID().uuidString)" }

    /// Whether `pid` is a live process (not gone, not a zombie waiting to be reaped).
    private func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        let state = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.split(separator: " ").dropFirst(2).first
        return state != "Z"
    }
}
