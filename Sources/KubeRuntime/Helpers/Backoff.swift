import Foundation
import KubeCore

/// Exponential back-off with a cap and optional jitter, reset after a success.
///
/// The n-th consecutive failure waits `initial × factor^(n−1)`, never more than `maximum`. It never gives up:
/// a watch or a retried item keeps trying at the capped interval for as long as it fails.
public struct Backoff: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration
    public var factor: Double
    /// A share (0…1) of each delay randomised away, so many clients do not retry in lock step.
    public var jitter: Double
    private(set) var failures = 0

    public init(initial: Duration = .milliseconds(800), maximum: Duration = .seconds(30), factor: Double = 2, jitter: Double = 0) {
        self.initial = initial
        self.maximum = maximum
        self.factor = factor
        self.jitter = jitter
    }

    /// Records a failure and returns how long to wait before trying again.
    public mutating func nextDelay() -> Duration {
        failures += 1
        let exponent = Double(min(failures - 1, 62))
        let seconds = min(initial.seconds * pow(factor, exponent), maximum.seconds)
        let jittered = jitter > 0 ? seconds * (1 - Double.random(in: 0...jitter)) : seconds
        return .clampedSeconds(jittered)
    }

    /// Forgets past failures after a success.
    public mutating func reset() { failures = 0 }

    /// How many failures in a row have been recorded.
    public var consecutiveFailures: Int { failures }
}
