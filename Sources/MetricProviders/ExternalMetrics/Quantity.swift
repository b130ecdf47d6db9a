import Foundation

/// A Kubernetes quantity's value as a number (`resource.Quantity.AsApproximateFloat64`): `1500m` is 1.5,
/// `2k` is 2000, `1Ki` is 1024, `1e3` is 1000. Pure.
enum Quantity {
    static let suffixes: [(String, Double)] = [
        ("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776), ("Pi", 1_125_899_906_842_624),
        ("Ei", 1_152_921_504_606_846_976), ("n", 1e-9), ("u", 1e-6), ("m", 1e-3), ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12),
        ("P", 1e15), ("E", 1e18),
    ]

    static func value(of text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for (suffix, factor) in suffixes where trimmed.hasSuffix(suffix) {
            return number(String(trimmed.dropLast(suffix.count))).map { $0 * factor }
        }
        return number(trimmed)
    }

    /// A signed decimal, with an optional exponent (`e3`, `E-2`); nothing else (no `inf`, no hex).
    private static func number(_ text: String) -> Double? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }) else { return nil }
        return Double(text)
    }
}
