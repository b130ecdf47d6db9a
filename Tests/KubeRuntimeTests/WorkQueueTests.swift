import KubeCore
import KubeRuntime
import SerinTesting
import Testing

@Suite struct WorkQueueTests {
    func makeQueue(_ clock: VirtualTime = VirtualTime()) -> WorkQueue<String, OperatorClock> {
        WorkQueue(name: "test", clock: .virtual(clock), backoff: Backoff(initial: .seconds(1), maximum: .seconds(8)))
    }

    @Test func aKeyAddedManyTimesIsHandedOutOnce() async {
        let queue = makeQueue()
        for _ in 0..<3 { await queue.add("a") }
        await queue.add("b")
        #expect(await queue.depth == 2)
        #expect(await queue.next() == "a")
        #expect(await queue.next() == "b")
        #expect(await queue.depth == 0)
    }

    @Test func aKeyInProcessIsNotHandedOutAgainUntilDoneThenOnceMore() async {
        let queue = makeQueue()
        await queue.add("a")
        #expect(await queue.next() == "a")
        await queue.add("a")
        await queue.add("a")
        #expect(await queue.depth == 0, "held back while being processed")
        await queue.done("a")
        #expect(await queue.depth == 1, "the adds coalesce into one more")
        #expect(await queue.next() == "a")
        await queue.done("a")
        #expect(await queue.depth == 0)
    }

    @Test func backgroundKeysWaitBehindEveryOtherKeyAndANormalAddMovesOneAhead() async {
        let queue = makeQueue()
        for key in ["b1", "b2", "b3"] { await queue.add(key, priority: .background) }
        await queue.add("n1")
        await queue.add("b3")  // a real change to a key still waiting for its start-up reconcile
        await queue.add("b1", priority: .background)  // no effect: already waiting
        #expect(await queue.depth == 4)
        #expect(await queue.next() == "n1")
        #expect(await queue.next() == "b3", "moved ahead of the other background keys")
        await queue.add("n2")
        #expect(await queue.next() == "n2", "a normal key overtakes the background keys still waiting")
        #expect(await queue.next() == "b1")
        #expect(await queue.next() == "b2")
        #expect(await queue.depth == 0)
    }

    @Test func delayedKeysWaitForTheClockAndTheEarliestDeadlineWins() async throws {
        let clock = VirtualTime()
        let queue = makeQueue(clock)
        await queue.add("a", after: .seconds(10))
        await queue.add("a", after: .seconds(30))
        await queue.add("a", after: .seconds(5))
        #expect(await queue.depth == 0)
        #expect(await queue.scheduledCount == 1)
        try await waitForSleepers(clock, 1)
        clock.advance(by: .seconds(4))
        #expect(await queue.depth == 0)
        clock.advance(by: .seconds(1))
        #expect(await eventually { await queue.depth == 1 })
        #expect(await queue.next() == "a")
    }

    @Test func anImmediateAddReplacesAPendingDelay() async {
        let queue = makeQueue()
        await queue.add("a", after: .seconds(60))
        await queue.add("a")
        #expect(await queue.depth == 1)
        #expect(await queue.scheduledCount == 0)
    }

    @Test func rateLimitedAddsBackOffExponentiallyAndForgetResets() async throws {
        let clock = VirtualTime()
        let queue = makeQueue(clock)
        for (attempt, wait) in [(1, 1), (2, 2), (3, 4), (4, 8), (5, 8)] {
            await queue.addRateLimited("a")
            #expect(await queue.failures(of: "a") == attempt)
            try await waitForSleepers(clock, 1)
            clock.advance(by: .seconds(Int64(wait) - 1))
            #expect(await queue.depth == 0, "attempt \(attempt) must wait \(wait) s")
            clock.advance(by: .seconds(1))
            #expect(await eventually { await queue.depth == 1 })
            #expect(await queue.next() == "a")
            await queue.done("a")
        }
        await queue.forget("a")
        #expect(await queue.failures(of: "a") == 0)
    }

    @Test func theEchoOfAKeysOwnWriteIsDroppedWhileTheKeyIsScheduledOrQueued() async {
        let queue = makeQueue()
        await queue.add("a", after: .seconds(60))
        #expect(await queue.addEcho("a") == false)
        #expect(await queue.depth == 0)
        #expect(await queue.scheduledCount == 1, "the requeue its reconcile asked for stands")
        await queue.add("b")
        #expect(await queue.addEcho("b") == false)
        #expect(await queue.depth == 1, "already queued: once")
    }

    @Test func theEchoOfAnIdleKeyAddsIt() async {
        let queue = makeQueue()
        #expect(await queue.addEcho("a") == true, "nothing scheduled it: a reconcile that awaited a change gets this one")
        #expect(await queue.next() == "a")
    }

    @Test func anEchoDuringProcessingIsDecidedWhenDone() async {
        let queue = makeQueue()
        await queue.add("scheduled")
        await queue.add("awaiting")
        #expect(await queue.next() == "scheduled")
        #expect(await queue.next() == "awaiting")
        #expect(await queue.addEcho("scheduled") == false)
        #expect(await queue.addEcho("awaiting") == false)
        await queue.add("scheduled", after: .seconds(60))  // the reconcile's outcome: requeue after a minute
        await queue.done("scheduled")
        await queue.done("awaiting")  // the reconcile's outcome: await a change
        #expect(await queue.depth == 1)
        #expect(await queue.next() == "awaiting", "the echo reconciles a key whose reconcile scheduled nothing")
        #expect(await queue.scheduledCount == 1)
        await queue.done("awaiting")
        #expect(await queue.depth == 0, "an echo counts once")
    }

    @Test func aRealChangeDuringProcessingStillAddsTheKeyAfterAnEcho() async {
        let queue = makeQueue()
        await queue.add("a")
        #expect(await queue.next() == "a")
        await queue.addEcho("a")
        await queue.add("a")
        await queue.add("a", after: .seconds(60))
        await queue.done("a")
        #expect(await queue.depth == 1, "somebody else's change reconciles")
    }

    @Test func aStatusChangeWaitsForAQuietKeysTimeAndAddsAnyOtherKey() async {
        let queue = makeQueue()
        await queue.setQuiet("stepping", true)
        await queue.add("stepping", after: .seconds(60))
        #expect(await queue.addStatusChange("stepping") == true, "waits for the step a minute from now")
        #expect(await queue.depth == 0)
        #expect(await queue.scheduledCount == 1)
        await queue.setQuiet("resting", true)  // quiet with nothing scheduled: a new revision is what it waits for
        #expect(await queue.addStatusChange("resting") == true)
        #expect(await queue.addStatusChange("waiting") == false, "a key waiting for a workload gets its status change")
        #expect(await queue.next() == "waiting")
        await queue.add("stepping")  // a change of the spec, or of the Canary: reconciles at once
        #expect(await queue.depth == 1)
        #expect(await queue.scheduledCount == 0)
    }

    @Test func aStatusChangeDuringProcessingIsDecidedByWhatTheProcessingSaid() async {
        let queue = makeQueue()
        await queue.setQuiet("now-quiet", false)
        await queue.setQuiet("no-longer-quiet", true)
        await queue.add("now-quiet")
        await queue.add("no-longer-quiet")
        #expect(await queue.next() == "now-quiet")
        #expect(await queue.next() == "no-longer-quiet")
        #expect(await queue.addStatusChange("now-quiet") == false)
        #expect(await queue.addStatusChange("no-longer-quiet") == false, "its last processing was quiet; this one decides")
        await queue.setQuiet("now-quiet", true)  // the outcome: the next step is scheduled
        await queue.add("now-quiet", after: .seconds(60))
        await queue.done("now-quiet")
        await queue.setQuiet("no-longer-quiet", false)  // the outcome: waiting for the canary to be ready
        await queue.done("no-longer-quiet")
        #expect(await queue.depth == 1)
        #expect(await queue.next() == "no-longer-quiet")
        #expect(await queue.scheduledCount == 1)
    }

    @Test func shutdownReleasesWaitingWorkers() async {
        let queue = makeQueue()
        async let waiting = queue.next()
        try? await Task.sleep(for: .milliseconds(20))
        await queue.shutdown()
        #expect(await waiting == nil)
        await queue.add("late")
        #expect(await queue.depth == 0)
    }

    private func waitForSleepers(_ clock: VirtualTime, _ count: Int) async throws {
        #expect(await eventually { clock.sleepers.count >= count })
    }
}

/// Polls a condition (every millisecond, up to `timeout`) without depending on wall-clock timing of the code under test.
/// Every caller waits for something that must happen, so the default is long: a loaded two-core run of the whole
/// suite took more than 5 s to deliver a relist (`ReflectorTests`) and a first reconcile (`ControllerTests`).
func eventually(timeout: Duration = .seconds(30), _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(1))
    }
    return await condition()
}
