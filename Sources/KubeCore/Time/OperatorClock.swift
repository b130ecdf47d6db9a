import Foundation

/// The one clock of an operator: monotonic instants for requeues, back-off and timers, and the wall date it
/// records (status times, Events, the journal), from one source. In production both are the machine's; in
/// tests both are a ``VirtualTime`` that moves only when the test says, so a rollout with Flagger's
/// one-minute interval runs in milliseconds and never races the wall clock.
public struct OperatorClock: Clock, Sendable {
    /// An instant: the time since the clock's origin.
    public struct Instant: InstantProtocol, Sendable {
        public var offset: Duration
        public init(offset: Duration) { self.offset = offset }
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private enum Source: Sendable {
        case system(origin: ContinuousClock.Instant)
        case virtual(VirtualTime)
    }

    private let source: Source

    /// The machine's clocks: `ContinuousClock` for instants, `Date()` for dates.
    public static let system = OperatorClock(source: .system(origin: ContinuousClock.now))

    /// Time that moves only when `time` is advanced.
    public static func virtual(_ time: VirtualTime) -> OperatorClock { OperatorClock(source: .virtual(time)) }

    public var now: Instant {
        switch source {
        case .system(let origin): Instant(offset: ContinuousClock.now - origin)
        case .virtual(let time): Instant(offset: time.elapsed)
        }
    }

    /// The wall date now.
    public var date: Date {
        switch source {
        case .system: Date()
        case .virtual(let time): time.date
        }
    }

    public var minimumResolution: Duration { .nanoseconds(1) }

    public func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        switch source {
        case .system(let origin): try await ContinuousClock().sleep(until: origin.advanced(by: deadline.offset), tolerance: tolerance)
        case .virtual(let time): try await time.sleep(until: deadline.offset)
        }
    }
}
