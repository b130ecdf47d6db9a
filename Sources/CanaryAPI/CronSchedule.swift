import Foundation

/// A five-field cron schedule (`minute hour day-of-month month day-of-week`, with `*`, lists, ranges and steps;
/// Sunday is 0 or 7), read in a time zone: when a freeze window opens.
public struct CronSchedule: Sendable, Equatable {
    let minutes: Set<Int>, hours: Set<Int>, days: Set<Int>, months: Set<Int>, weekdays: Set<Int>
    /// Whether day-of-month and day-of-week were both restricted (cron then matches either).
    let eitherDay: Bool

    /// - Throws: ``CronError`` naming the field and what is wrong with it.
    public init(parsing text: String) throws(CronError) {
        let fields = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard fields.count == 5 else { throw CronError(message: "\"\(text)\" has \(fields.count) fields, not 5 (minute hour day month weekday)") }
        minutes = try CronSchedule.values(fields[0], 0...59, "minute")
        hours = try CronSchedule.values(fields[1], 0...23, "hour")
        days = try CronSchedule.values(fields[2], 1...31, "day of month")
        months = try CronSchedule.values(fields[3], 1...12, "month")
        weekdays = Set(try CronSchedule.values(fields[4], 0...7, "day of week").map { $0 % 7 })
        eitherDay = fields[2] != "*" && fields[4] != "*"
    }

    private static func values(_ field: String, _ range: ClosedRange<Int>, _ name: String) throws(CronError) -> Set<Int> {
        var result = Set<Int>()
        for part in field.split(separator: ",").map(String.init) {
            let pieces = part.split(separator: "/", maxSplits: 1).map(String.init)
            let step = pieces.count == 2 ? Int(pieces[1]) : 1
            guard let step, step > 0 else { throw CronError(message: "the \(name) field \"\(field)\" has a bad step") }
            let bounds: ClosedRange<Int>
            if pieces[0] == "*" {
                bounds = range
            } else if let dash = pieces[0].firstIndex(of: "-"), let low = Int(pieces[0][..<dash]),
                let high = Int(pieces[0][pieces[0].index(after: dash)...]), low <= high
            {
                bounds = low...high
            } else if let single = Int(pieces[0]) {
                bounds = single...(pieces.count == 2 ? range.upperBound : single)
            } else {
                throw CronError(message: "the \(name) field \"\(field)\" is not a number, range, list or *")
            }
            guard range.contains(bounds.lowerBound), range.contains(bounds.upperBound) else {
                throw CronError(message: "the \(name) field \"\(field)\" is outside \(range.lowerBound)-\(range.upperBound)")
            }
            result.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return result
    }

    /// Whether the schedule fires at the minute of `components` (minute, hour, day, month, weekday 1 = Sunday).
    func matches(_ components: DateComponents) -> Bool {
        guard let minute = components.minute, let hour = components.hour, let day = components.day, let month = components.month,
            let weekday = components.weekday
        else { return false }
        let dayMatches = eitherDay ? (days.contains(day) || weekdays.contains(weekday - 1)) : (days.contains(day) && weekdays.contains(weekday - 1))
        return minutes.contains(minute) && hours.contains(hour) && months.contains(month) && dayMatches
    }

    /// The last time at or before `date` the schedule fired, looking back at most `within`; `nil` if none.
    public func lastFire(atOrBefore date: Date, within: TimeInterval, in zone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let earliest = date.addingTimeInterval(-within)
        var minute = calendar.dateInterval(of: .minute, for: date)?.start ?? date
        while minute >= earliest {
            let parts = calendar.dateComponents([.minute, .hour, .day, .month, .weekday], from: minute)
            if matches(parts) { return minute }
            // Skip a whole hour (or day) that cannot match, to its last minute before.
            if let day = parts.day, let month = parts.month, let weekday = parts.weekday,
                !months.contains(month)
                    || !(eitherDay ? (days.contains(day) || weekdays.contains(weekday - 1)) : (days.contains(day) && weekdays.contains(weekday - 1)))
            {
                minute = (calendar.dateInterval(of: .day, for: minute)?.start ?? minute).addingTimeInterval(-60)
            } else if let hour = parts.hour, !hours.contains(hour) {
                minute = (calendar.dateInterval(of: .hour, for: minute)?.start ?? minute).addingTimeInterval(-60)
            } else {
                minute = minute.addingTimeInterval(-60)
            }
        }
        return nil
    }
}

/// A cron schedule that cannot be read.
public struct CronError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
