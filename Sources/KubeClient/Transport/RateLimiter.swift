import KubeCore

/// A token bucket, like client-go's default client-side rate limiter: ``qps`` tokens a second, at most
/// ``burst`` saved up. Requests wait for a token rather than fail.
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
    func acquire() async throws {
        guard qps > 0 else { return }
        let now = clock.now
        let elapsed = last.duration(to: now)
        last = now
        tokens = min(Double(burst), tokens + qps * elapsed.seconds)
        tokens -= 1  // reserve now, so concurrent callers queue behind each other
        if tokens < 0 {
            try await clock.sleep(for: .seconds(-tokens / qps))
        }
    }
}
