import Foundation
import Synchronization

/// Time for tests: it stands still until ``advance(by:)``, which wakes every sleeper whose deadline came.
/// ``OperatorClock/virtual(_:)`` gives an operator this time for its instants and its dates alike.
public final class VirtualTime: Sendable {
    private struct Sleeper {
        var deadline: Duration
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var elapsed: Duration = .zero
        var sleepers: [Int: Sleeper] = [:]
        var nextID = 0
    }

    /// The date at the start.
    public let start: Date
    private let state = Mutex(State())

    public init(start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { self.start = start }

    /// The time advanced so far.
    public var elapsed: Duration { state.withLock { $0.elapsed } }

    /// The wall date now: ``start`` plus ``elapsed``.
    public var date: Date {
        let elapsed = self.elapsed
        return start.addingTimeInterval(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// How many tasks are sleeping, and the earliest deadline among them.
    public var sleepers: (count: Int, next: Duration?) {
        state.withLock { state in (state.sleepers.count, state.sleepers.values.map(\.deadline).min()) }
    }

    /// Sleeps until ``elapsed`` reaches `deadline`; throws `CancellationError` when the task is cancelled.
    func sleep(until deadline: Duration) async throws {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if deadline <= state.elapsed || Task.isCancelled { return true }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }

    /// Moves time forward by `duration` and wakes every sleeper whose deadline has come.
    public func advance(by duration: Duration) {
        let due = state.withLock { state -> [Sleeper] in
            state.elapsed += duration
            let due = state.sleepers.filter { $0.value.deadline <= state.elapsed }
            for id in due.keys { state.sleepers.removeValue(forKey: id) }
            return Array(due.values)
        }
        for sleeper in due { sleeper.continuation.resume() }
    }
}
