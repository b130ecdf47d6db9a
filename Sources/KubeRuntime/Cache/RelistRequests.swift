import Synchronization

/// The relists asked of a ``Reflector``: ``request()`` waits until the list it asked for is in the cache.
///
/// Requests that arrive before the reflector starts its next list share that list.
final class RelistRequests: Sendable {
    private struct State {
        var pending = false
        /// The reflector waiting for a request (``next()``).
        var waiter: CheckedContinuation<Bool, Never>?
        /// Requests not yet handed to the reflector, and those whose list is under way.
        var requested: [CheckedContinuation<Void, Never>] = []
        var listing: [CheckedContinuation<Void, Never>] = []
        var stopped = false
    }

    private let state = Mutex(State())

    /// Asks for a relist; returns once its list is in the cache (or the reflector stopped).
    func request() async {
        await withCheckedContinuation { continuation in
            let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>?? in
                guard !state.stopped else { return nil }
                state.requested.append(continuation)
                guard let waiter = state.waiter else {
                    state.pending = true
                    return .some(nil)
                }
                state.waiter = nil
                state.listing += state.requested
                state.requested = []
                return waiter
            }
            switch waiter {
            case .none: continuation.resume()
            case .some(let waiter): waiter?.resume(returning: true)
            }
        }
    }

    /// Waits for a request: `true` when one came, `false` when cancelled or stopped.
    func next() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let answer = state.withLock { state -> Bool? in
                    if state.stopped || Task.isCancelled { return false }
                    guard state.pending else {
                        state.waiter = continuation
                        return nil
                    }
                    state.pending = false
                    state.listing += state.requested
                    state.requested = []
                    return true
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            state.withLock { state in
                defer { state.waiter = nil }; return state.waiter
            }?.resume(returning: false)
        }
    }

    /// A list is in the cache: the requests it was started for return.
    func listed() {
        for request in state.withLock({ state in
            defer { state.listing = [] }; return state.listing
        }) { request.resume() }
    }

    /// The reflector stopped: every request returns, and new ones return at once.
    func shutDown() {
        let (waiter, requests) = state.withLock { state in
            state.stopped = true
            defer { (state.waiter, state.requested, state.listing) = (nil, [], []) }
            return (state.waiter, state.requested + state.listing)
        }
        waiter?.resume(returning: false)
        for request in requests { request.resume() }
    }
}
