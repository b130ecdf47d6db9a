import Foundation

/// The process's own resource use, read from `/proc/self` (Linux) for a `/metrics` endpoint's `process_*`
/// series; `nil` where `/proc` is not there.
public enum ProcessStats {
    /// Resident memory in bytes (`process_resident_memory_bytes`), from `/proc/self/statm`.
    public static func residentMemory() -> Int? {
        guard let fields = read("/proc/self/statm"), fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// User and system CPU time in seconds (`process_cpu_seconds_total`), from `/proc/self/stat`.
    public static func cpuSeconds() -> Double? {
        // The command name (field 2) is in parentheses and may hold spaces: count fields after its ")".
        guard let text = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After ")": state is field 3, so utime (14) and stime (15) are at offsets 11 and 12.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ticks > 0 ? (user + system) / ticks : nil
    }

    private static func read(_ path: String) -> [Substring]? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return text.split(separator: " ")
    }
}
