import KubeCore

/// How urgent the requests of the current task are, for the client-side rate limit.
public enum RequestPriority: Sendable {
    /// Served in order.
    case normal
    /// Start-up work: served only from tokens no normal request is waiting for.
    case background

    /// The priority of the requests the current task makes (a controller binds it per reconcile).
    @TaskLocal public static var current: RequestPriority = .normal
}

/// A token bucket, like client-go's default client-side rate limiter: ``qps`` tokens a second, at most
/// ``burst`` saved up. Requests wait for a token rather than fail.
///
/// A normal request reserves a token at once (so callers queue behind each other). A background request
/// (``RequestPriority/background``) takes a token only when the bucket has one to spare, and never reserves
/// ahead: however many background requests wait, a normal one waits only behind other normal ones.
actor RateLimiter<C: Clock> where C.Duration == Duration {
    let qps: Double
    let burst: Int
    private let clock: C
    private var tokens: Double
    private var last: C.Instant

    /// A `qps` of zero or less disables limiting.
    init(qps: Double, burst: Int, clock: C) {
        self.qps = qps
        self.burst = max(burst, 1)
        self.clock = clock
        self.tokens = Double(max(burst, 1))
        self.last = clock.now
    }

    /// Takes one token, waiting for it if the bucket is empty.
    func acquire(_ priority: RequestPriority = .normal) async throws {
        guard qps > 0 else { return }
        refill()
        if priority == .background {
            while tokens < 1 {
                try await clock.sleep(for: .seconds((1 - tokens) / qps))
                refill()
            }
            tokens -= 1
            return
        }
        tokens -= 1  // reserve now, so concurrent callers queue behind each other
        if tokens < 0 {
            try await clock.sleep(for: .seconds(-tokens / qps))
        }
    }

    private func refill() {
        let now = clock.now
        tokens = min(Double(burst), tokens + qps * last.duration(to: now).seconds)
        last = now
    }
}
