import Foundation

/// Counts the operator's instructions with valgrind's callgrind during one part of a benchmark: collection
/// is off until ``start()`` and off again at ``stop()``, which dumps the counts and reads their total.
///
/// Instruction counts repeat from run to run where CPU time on this shared machine does not, so two builds
/// compare by them (`callgrind_control`, shipped with valgrind, switches collection in the running process).
struct CallgrindCounter {
    let outputFile: String
    let pids: [Int32]

    /// The command the operator runs under: callgrind, collecting nothing until switched on.
    static func wrapper(outputFile: String) -> [String] {
        ["/usr/bin/env", "valgrind", "--tool=callgrind", "--instr-atstart=no", "--callgrind-out-file=\(outputFile).%p"]
    }

    init(outputFile: String, pids: [Int32]) throws {
        self.outputFile = outputFile
        self.pids = pids
    }

    func start() throws {
        for pid in pids { try control(["-i", "on", "\(pid)"]) }
    }

    /// Switches collection off, dumps, and returns the instructions counted since ``start()`` (every replica's).
    func stop() throws -> Double {
        var total = 0.0
        for pid in pids {
            try control(["-i", "off", "\(pid)"])
            let before = Set(dumps(of: pid))
            try control(["-d", "\(pid)"])
            let deadline = Date().addingTimeInterval(60)
            var fresh = Set(dumps(of: pid)).subtracting(before)
            while fresh.isEmpty && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.2)
                fresh = Set(dumps(of: pid)).subtracting(before)
            }
            guard let dump = fresh.sorted().last else { throw BenchmarkFailure("callgrind wrote no dump for process \(pid)") }
            total += try instructions(in: dump)
        }
        return total
    }

    /// The dump files of process `pid` (`<file>.<pid>.<n>`).
    private func dumps(of pid: Int32) -> [String] {
        let url = URL(fileURLWithPath: outputFile)
        let prefix = url.lastPathComponent + ".\(pid)."
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)) ?? []
        return names.filter { $0.hasPrefix(prefix) }.map { url.deletingLastPathComponent().appendingPathComponent($0).path }
    }

    /// The instructions executed (`Ir`) in a dump: its `totals:` line (a dump switched on and off by
    /// `callgrind_control` leaves `summary:` at 0).
    private func instructions(in dump: String) throws -> Double {
        let text = try String(contentsOfFile: dump, encoding: .utf8)
        let counts = text.split(separator: "\n").filter { $0.hasPrefix("summary:") || $0.hasPrefix("totals:") }
            .compactMap { $0.split(separator: " ").dropFirst().first.flatMap { Double($0) } }
        guard let count = counts.max() else { throw BenchmarkFailure("no totals line in \(dump)") }
        return count
    }

    private func control(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["callgrind_control"] + arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchmarkFailure("callgrind_control \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
        }
    }
}
