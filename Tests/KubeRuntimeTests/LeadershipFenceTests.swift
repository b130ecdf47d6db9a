import Foundation
import KubeClient
import KubeCore
import Testing

@testable import KubeRuntime

struct LeadershipFenceTests {
    @Test func aRenewalAnsweredAfterTheFenceWasClosedDoesNotReopenIt() {
        let time = VirtualTime()
        let fence = LeadershipFence(clock: .virtual(time))
        #expect(!fence.isOpen, "closed until the lease is first acquired")
        fence.extend(until: time.date.addingTimeInterval(10))
        #expect(!fence.isOpen, "a renewal never opens a fence that was not opened")

        fence.open(until: time.date.addingTimeInterval(10))
        #expect(fence.isOpen)
        fence.extend(until: time.date.addingTimeInterval(20))
        time.advance(by: .seconds(15))
        #expect(fence.isOpen, "a renewal moves the deadline")

        fence.close()  // the body ended and the lease is released while a renewal is still in flight
        fence.extend(until: time.date.addingTimeInterval(10))
        #expect(!fence.isOpen, "the late renewal leaves it closed")
        #expect(throws: WriteFencedError.self) { try fence.checkWrite(verb: "PATCH", url: "/x") }
    }

    @Test func aFenceClosesByItselfAtItsDeadlineAndARenewalInTimeExtendsIt() {
        let time = VirtualTime()
        let fence = LeadershipFence(clock: .virtual(time))
        fence.open(until: time.date.addingTimeInterval(3))
        time.advance(by: .seconds(3))
        #expect(!fence.isOpen, "past the deadline without a renewal")
        fence.extend(until: time.date.addingTimeInterval(3))  // the lease was still ours: the renewal succeeded
        #expect(fence.isOpen)
    }
}
