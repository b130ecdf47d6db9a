import Foundation
import KubeSandbox
import Testing

/// A port handed to a child process must not be one the kernel can give away meanwhile to an outgoing connection
/// or a `bind(0)`: picks come from below the ephemeral range, one after another, each free when picked.
struct FreePortTests {
    @Test func picksComeFromBelowTheEphemeralRangeAndDoNotRepeat() throws {
        let text = try String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)
        let low = try #require(text.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) })
        let picks = try (0..<50).map { _ in try FreePort.next() }
        #expect(picks.allSatisfy { $0 >= 1024 && $0 < low }, "every pick below \(low): \(picks)")
        #expect(Set(picks).count == picks.count, "no pick repeats: \(picks)")
    }

    @Test func aPortSomeoneListensOnIsNotFreeUntilClosed() throws {
        let port = try FreePort.next()
        #expect(FreePort.isFree(port))
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let listening = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 && listen(listener, 1) == 0
            }
        }
        try #require(listening, "listen on \(port)")
        #expect(!FreePort.isFree(port), "a listener on loopback takes the port on every address")
        close(listener)
        #expect(FreePort.isFree(port), "free again once closed")
    }
}
