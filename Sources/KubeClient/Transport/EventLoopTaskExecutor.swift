import AsyncHTTPClient
import NIOCore

/// A task executor that runs its tasks' jobs on one NIO event loop: the thread that also reads and writes
/// the connections of requests made from those tasks.
///
/// A task started with this executor as its preference (`group.addTask(executorPreference:)`) runs its
/// nonisolated code, and its child tasks', on the loop. A request it sends picks a connection of that loop
/// first, so its answer resumes the task without a hop between threads.
///
/// ## Guarantees
/// - Jobs run in the order they are enqueued, on the loop's thread.
/// - One executor per loop (``clientLoops()``) spreads tasks over every loop. This is what Swift's global
///   executor hook in NIO (`NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor`)
///   does not do: it keeps a job on the loop that enqueued it, so once everything runs on one loop it stays
///   there, and an operator on that hook uses one core however many it has.
///
/// ## Caveats
/// - Each job is one closure on the loop (an allocation); NIO's own hook avoids that.
/// - Code that blocks a thread blocks the loop's connections too: nothing run here may block.
public final class EventLoopTaskExecutor: TaskExecutor {
    /// The loop the jobs run on.
    public let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// One executor for each event loop of the API client's connections (AsyncHTTPClient's default group).
    public static func clientLoops() -> [EventLoopTaskExecutor] {
        HTTPClient.defaultEventLoopGroup.makeIterator().map(EventLoopTaskExecutor.init)
    }
}
