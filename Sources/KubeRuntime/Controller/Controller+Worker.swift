import Foundation
import KubeClient
import KubeCore
import Logging

extension Controller {
    /// One worker: takes keys until the queue shuts down.
    func work() async {
        while let (request, priority) = await queue.nextWithPriority() {
            if let owns = config.owns, !owns(request) {
                await queue.forget(request)  // another replica's key (a shard not held): dropped until it is
            } else {
                // A start-up reconcile's API requests yield to those of changes at the client's rate limit.
                let requests: RequestPriority = priority == .background ? .background : .normal
                if config.ownWrites != nil { inFlight.begin(request) }
                await RequestPriority.$current.withValue(requests) {
                    await ReconcileScope.$key.withValue(request) {
                        let reads = ReadMemo()
                        await ReadMemo.$current.withValue(reads) { await process(request) }
                        reads.end()
                    }
                }
                // The changes that came during the reconcile, now that its writes are all recorded.
                if config.ownWrites != nil { await add(request, echoes: inFlight.end(request)) }
            }
            await queue.done(request)
        }
    }

    /// Runs one reconcile and maps its outcome to exactly one queue operation, one metric and one log line.
    func process(_ request: ReconcileRequest) async {
        let reconcileID = String(UUID().uuidString.prefix(8)).lowercased()
        var logger = self.logger
        logger[metadataKey: "reconcileID"] = "\(reconcileID)"
        logger[metadataKey: "object"] = "\(request)"
        let context = ReconcileContext(reconcileID: reconcileID, logger: logger)
        let started = ContinuousClock.now
        let outcome: Result<ReconcileAction, any Error>
        do {
            outcome = .success(try await reconciler.reconcile(request, context: context))
        } catch {
            outcome = .failure(error)
        }
        let duration = ContinuousClock.now - started
        if case .failure = outcome, Task.isCancelled { return }  // shutting down: the next start reconciles again
        if case .success(.quiet) = outcome { await queue.setQuiet(request, true) } else { await queue.setQuiet(request, false) }
        switch outcome {
        case .success(.awaitChange):
            await queue.forget(request)
            metrics.reconciled(controller: name, outcome: "success", duration: duration)
            logger.debug("reconciled", metadata: ["duration": "\(duration)"])
        case .success(.quiet(.none)):
            await queue.forget(request)
            metrics.reconciled(controller: name, outcome: "success", duration: duration)
            logger.debug("reconciled; quiet", metadata: ["duration": "\(duration)"])
        case .success(.requeue(let after)), .success(.quiet(.some(let after))):
            await queue.forget(request)
            await queue.add(request, after: after)
            metrics.reconciled(controller: name, outcome: "requeue", duration: duration)
            logger.debug("reconciled; requeued", metadata: ["duration": "\(duration)", "after": "\(after)"])
        case .failure(let error as TerminalError):
            await queue.forget(request)
            metrics.reconciled(controller: name, outcome: "terminal_error", duration: duration)
            logger.error("reconcile failed; not retrying until the object changes", metadata: ["error": "\(error)"])
        case .failure(let error):
            await queue.addRateLimited(request)
            let failures = await queue.failures(of: request)
            metrics.reconciled(controller: name, outcome: "error", duration: duration)
            logger.warning("reconcile failed; retrying with back-off", metadata: ["error": "\(error)", "failures": "\(failures)"])
        }
    }
}
