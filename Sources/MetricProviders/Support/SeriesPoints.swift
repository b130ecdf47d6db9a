import Foundation
import KubeCore

/// What every provider's series path shares (``MetricProvider/series(_:window:resolution:)``): the window's
/// ends on the provider's clock, and the points as a compared metric reads them. Pure but for the clock.
enum SeriesPoints {
    /// The most points a series is read with: a window divided by its resolution is rarely a thousand, and a
    /// vendor that answers more (a wrong step, a misread unit) is cut here rather than filling memory.
    static let limit = 10_000

    /// The points in the order given, `nil` (the vendor's null) and NaN dropped, `±Inf` kept (the judge
    /// drops them), at most ``limit``; none is ``MetricError/noValues``.
    static func finish(_ points: some Sequence<Double?>) throws(MetricError) -> [Double] {
        var values: [Double] = []
        for point in points {
            guard values.count < limit else { break }
            if let point, !point.isNaN { values.append(point) }
        }
        guard !values.isEmpty else { throw MetricError.noValues }
        return values
    }

    /// A number of `unit`s per second in `duration`, rounded down; negative durations are 0.
    static func count(_ duration: Duration, perSecond unit: Int64) -> Int64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: unit)
        return overflow ? Int64.max / 2 : whole + attoseconds / (1_000_000_000_000_000_000 / unit)
    }
}

extension MetricProviderConfig {
    /// A series' window ending at the clock's date, as Unix time in `unit`s per second. A window too short to
    /// hold one `unit` has nothing to read yet: ``MetricError/noValues``.
    func window(_ window: Duration, perSecond unit: Int64) throws(MetricError) -> (from: Int64, to: Int64) {
        let to = Int64(clock.date.timeIntervalSince1970) * unit
        let span = SeriesPoints.count(window, perSecond: unit)
        guard span > 0 else { throw MetricError.noValues }
        return (to - min(span, to), to)
    }
}
