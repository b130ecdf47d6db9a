import Foundation
import KubeClient
import KubeCore
import Synchronization

/// Allows writes only while this replica surely leads: until the time its lease renewal could last be
/// trusted (the last successful renewal plus the renew deadline).
///
/// The fence closes by itself when that time passes, even if the renewal loop is stuck, and is closed
/// explicitly the moment leadership is lost or released — before anything else happens.
public final class LeadershipFence: WriteFence, Sendable {
    private let validUntil = Mutex<Date?>(nil)

    private let clock: OperatorClock

    public init(clock: OperatorClock = .system) { self.clock = clock }

    private func now() -> Date { clock.date }

    /// Whether writes are allowed now.
    public var isOpen: Bool { validUntil.withLock { $0.map { now() < $0 } ?? false } }

    /// Opens the fence until `deadline` (a renewal's send time plus the renew deadline); a deadline
    /// already past leaves it closed.
    func open(until deadline: Date) { validUntil.withLock { $0 = deadline } }

    /// Moves the deadline of a fence that was opened and not closed since (a renewal); a fence closed
    /// explicitly stays closed, so a renewal answered after the lease was lost or released cannot reopen it.
    func extend(until deadline: Date) { validUntil.withLock { if $0 != nil { $0 = deadline } } }

    /// Closes the fence until the next ``open(until:)``; a later ``extend(until:)`` leaves it closed.
    func close() { validUntil.withLock { $0 = nil } }

    public func checkWrite(verb: String, url: String) throws {
        guard isOpen else { throw WriteFencedError(verb: verb, url: url, reason: "this replica does not hold the leader lease") }
    }
}
