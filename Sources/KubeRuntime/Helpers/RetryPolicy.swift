import KubeClient
import KubeCore

/// Retries an API call that failed for a reason that may pass: a conflict, a server error, rate limiting
/// (waiting at least the server's `Retry-After`), or a broken connection.
///
/// Anything else (not found, invalid, forbidden, a write refused by the leadership fence) is thrown at once:
/// retrying cannot fix it.
public struct RetryPolicy: Sendable {
    /// How many attempts in all.
    public var attempts: Int
    /// The back-off between attempts.
    public var backoff: Backoff
    let sleep: @Sendable (Duration) async throws -> Void

    public init(
        attempts: Int = 5, backoff: Backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(2), jitter: 0.2),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.attempts = attempts
        self.backoff = backoff
        self.sleep = sleep
    }

    /// Whether an error may pass if the call is made again.
    public static func isTransient(_ error: any Error) -> Bool {
        if let error = error as? KubeAPIError { return [.conflict, .serverError, .tooManyRequests].contains(error.reason) }
        if let error = error as? KubeClientError { return error.isTransport }
        return false
    }

    /// Runs `body` until it succeeds, fails for good, or the attempts are used up (then the last error).
    public func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        var backoff = self.backoff
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await body()
            } catch  where attempt < attempts && RetryPolicy.isTransient(error) {
                let delay = backoff.nextDelay()
                try await sleep(max(delay, (error as? KubeAPIError)?.retryAfter ?? .zero))
            }
        }
    }
}
