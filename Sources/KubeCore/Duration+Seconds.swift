extension Duration {
    /// The duration in seconds, as a `Double`.
    public var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }

    /// The duration in whole nanoseconds, clamped to `Int64` (about ±292 years): never traps.
    public var clampedNanoseconds: Int64 {
        let (whole, attoseconds) = components
        let (scaled, overflow) = whole.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return whole < 0 ? .min : .max }
        let (sum, overflowAdding) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflowAdding ? (whole < 0 ? .min : .max) : sum
    }

    /// `seconds` seconds, clamped to ±`Int64.max` nanoseconds; NaN is zero. Never traps.
    public static func clampedSeconds(_ seconds: Double) -> Duration {
        .nanoseconds(Int64(saturating: seconds * 1e9))
    }
}

extension FixedWidthInteger {
    /// The integer nearest to `value` towards zero, clamped to this type's range; NaN is zero.
    ///
    /// For values from objects and metric providers, where `Int(value)` would trap.
    public init(saturating value: Double) {
        if value.isNaN {
            self = 0
        } else if value >= Double(Self.max) {
            self = .max
        } else if value <= Double(Self.min) {
            self = .min
        } else {
            self = Self(value.rounded(.towardZero))
        }
    }
}
