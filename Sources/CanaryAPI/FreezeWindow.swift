import Foundation
import KubeCore

/// A time in which no new rollout of a policy's Canaries starts: a recurring one (`schedule`, a five-field
/// cron in `timeZone`, open for `duration`) or a one-off (`start` to `end`, RFC 3339).
public struct FreezeWindow: Codable, Sendable, Equatable {
    public var name: String
    public var schedule: String?
    public var duration: String?
    /// An IANA time zone (`Europe/Berlin`); UTC when unset.
    public var timeZone: String?
    public var start: String?
    public var end: String?

    public init(name: String, schedule: String? = nil, duration: String? = nil, timeZone: String? = nil, start: String? = nil, end: String? = nil) {
        self.name = name
        self.schedule = schedule
        self.duration = duration
        self.timeZone = timeZone
        self.start = start
        self.end = end
    }

    /// Whether the window is open at `now`, and until when; a window that cannot be read is open, saying why
    /// (a freeze that fails must fail closed).
    public func state(at now: Date) -> State {
        if let start, let end {
            guard let from = KubeTime(rfc3339: start)?.date, let to = KubeTime(rfc3339: end)?.date, from < to else {
                return .unreadable("start and end must be RFC 3339 times, start before end")
            }
            return from <= now && now < to ? .open(until: to) : .closed
        }
        guard let schedule, let text = duration else { return .unreadable("give schedule and duration, or start and end") }
        let cron: CronSchedule
        do { cron = try CronSchedule(parsing: schedule) } catch { return .unreadable("schedule: \(error)") }
        guard let length = try? GoDuration(parsing: text).duration, length > .zero, length <= .seconds(31 * 24 * 3600) else {
            return .unreadable("duration \"\(text)\" is not a Go duration between 0 and 31 days")
        }
        guard let zone = TimeZone(identifier: timeZone ?? "UTC") else { return .unreadable("unknown time zone \"\(timeZone ?? "")\"") }
        guard let opened = cron.lastFire(atOrBefore: now, within: length.seconds, in: zone) else { return .closed }
        let closes = opened.addingTimeInterval(length.seconds)
        return now < closes ? .open(until: closes) : .closed
    }

    public enum State: Sendable, Equatable {
        case closed
        case open(until: Date)
        /// Treated as open: what is wrong with it.
        case unreadable(String)
    }
}
