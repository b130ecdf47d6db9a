/// A Prometheus histogram's state: cumulative bucket counts for fixed bounds, the sum and the count.
struct TrafficHistogram: Sendable {
    var bounds: [Double]
    var counts: [Double]
    var sum = 0.0
    var count = 0.0

    init(bounds: [Double]) {
        self.bounds = bounds
        counts = [Double](repeating: 0, count: bounds.count)
    }

    /// Records `count` observations of `value`.
    mutating func observe(_ value: Double, count: Double) {
        for (index, bound) in bounds.enumerated() where value <= bound { counts[index] += count }
        sum += value * count
        self.count += count
    }

    /// Adds another histogram with the same bounds (one series summed over a label).
    mutating func merge(_ other: TrafficHistogram) {
        for index in counts.indices where index < other.counts.count { counts[index] += other.counts[index] }
        sum += other.sum
        count += other.count
    }

    /// The exposition lines of `name` with `labels`: `_bucket`s up to `+Inf`, `_sum`, `_count`.
    func lines(_ name: String, labels: String) -> [String] {
        var lines = bounds.enumerated().map { index, bound in "\(name)_bucket{\(labels),le=\"\(Self.format(bound))\"} \(Self.format(counts[index]))" }
        lines.append("\(name)_bucket{\(labels),le=\"+Inf\"} \(Self.format(count))")
        lines.append("\(name)_sum{\(labels)} \(Self.format(sum))")
        lines.append("\(name)_count{\(labels)} \(Self.format(count))")
        return lines
    }

    /// Whole numbers without a fraction, as Prometheus clients print them.
    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
