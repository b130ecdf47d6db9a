import Foundation
@testable import KubeCore
import Testing

/// The integer fast path of ``KubeTime`` reads and writes exactly what Foundation's ISO 8601 styles do.
@Suite struct RFC3339Tests {
    let seconds = Date.ISO8601FormatStyle(timeZone: .gmt)
    let milliseconds = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// Dates from 1900 to 2200, some with fractions, from a fixed seed.
    var dates: [Date] {
        var generator = SeededGenerator(state: 42)
        return (0..<5000).map { index in
            let whole = Double(Int64(generator.next() % 9_467_280_000) - 2_208_988_800)
            return Date(timeIntervalSince1970: index % 2 == 0 ? whole : whole + Double(generator.next() % 1_000_000) / 1_000_000)
        } + [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -1.5), Date(timeIntervalSince1970: 951_782_400)]  // 2000-02-29
    }

    @Test func writesWhatFoundationWrites() {
        for date in dates {
            #expect(RFC3339.format(date, fraction: false) == date.formatted(seconds))
            #expect(RFC3339.format(date, fraction: true) == date.formatted(milliseconds))
        }
    }

    @Test func readsWhatFoundationReads() throws {
        for date in dates {
            let text = date.formatted(milliseconds)
            let fast = try #require(RFC3339.parse(text), "\(text)")
            let reference = try milliseconds.parse(text)
            #expect(abs(fast.timeIntervalSince(reference)) < 1e-6, "\(text)")
            #expect(RFC3339.parse(date.formatted(seconds)) == (try seconds.parse(date.formatted(seconds))))
        }
        #expect(RFC3339.parse("2026-11-21T05:24:33+02:00") == Date(timeIntervalSince1970: 1_795_231_473))
        #expect(RFC3339.parse("2026-11-21T05:24:33-01:30") == Date(timeIntervalSince1970: 1_795_238_673 + 5400))
        let micro = try #require(RFC3339.parse("2026-11-21T05:24:33.123456Z"))
        #expect(abs(micro.timeIntervalSince1970 - 1_795_238_673.123456) < 1e-6)
    }

    @Test func leavesEverythingElseToFoundation() {
        for text in [
            "2026-11-21t05:24:33z", "2026-02-30T05:24:33Z", "2026-11-21T24:00:00Z", "2026-11-21T05:24:60Z", "2026-11-21 05:24:33Z",
            "2026-11-21T05:24:33", "+2026-11-21T05:24:33Z", "2026-11-21T05:24:33.Z", "2026-11-21T05:24:33+0200", "yesterday", "",
        ] {
            #expect(RFC3339.parse(text) == nil, "\(text)")
        }
        // KubeTime still reads what Foundation accepts beyond the strict form, as before.
        #expect(KubeTime(rfc3339: "2026-02-30T05:24:33Z")?.date == (try? seconds.parse("2026-02-30T05:24:33Z")))
        #expect(KubeTime(rfc3339: "2026-11-21T05:24:33.1234567891Z") != nil)
    }

    @Test func civilDaysRoundTripAcrossLeapYearsAndEras() {
        for days in stride(from: -800_000, through: 800_000, by: 37) {
            let (year, month, day) = RFC3339.civil(fromDays: days)
            #expect(RFC3339.daysFromCivil(year: year, month: month, day: day) == days)
        }
        #expect(RFC3339.civil(fromDays: 0) == (1970, 1, 1))
        #expect(RFC3339.daysFromCivil(year: 2000, month: 3, day: 1) == 11_017)
    }
}
