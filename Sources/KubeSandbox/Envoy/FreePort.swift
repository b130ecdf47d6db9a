import Foundation
import KubeAPIServer
import Synchronization

/// A TCP port on loopback that nobody listens on now, for a process that binds it itself.
///
/// The port comes from below the kernel's ephemeral range (`net.ipv4.ip_local_port_range`): a port in that range
/// can be taken between the check and the child's `bind` by any outgoing connection or any `bind(0)` (a test run
/// opens thousands of both), which made an operator fail with "Address already in use". Below the range only
/// another explicit pick can collide, and each process walks the range from its own random start.
public enum FreePort {
    /// The next port past the previous pick that binds now.
    public static func next() throws -> Int {
        let range = candidates
        for _ in 0..<256 {
            let port = range.lowerBound + cursor.add(1, ordering: .relaxed).oldValue % range.count
            if isFree(port) { return port }
        }
        throw SandboxError(step: "find a free port in \(range)", reason: "256 ports in a row are taken")
    }

    /// Ports between 1024 and the ephemeral range's start (at most 20,000 of them), or 10000..<32768 when the range
    /// is not readable or leaves too little below it.
    static let candidates: Range<Int> = {
        let fallback = 10000..<32768
        guard let text = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8),
            let low = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first.flatMap({ Int($0) }),
            low - 1024 >= 4096
        else { return fallback }
        return max(1024, low - 20000)..<low
    }()

    private static let cursor = Atomic<Int>(Int.random(in: 0..<20000))

    /// Whether a socket can bind `port` on every address now.
    public static func isFree(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)  // never inherited by a child
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = INADDR_ANY
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
