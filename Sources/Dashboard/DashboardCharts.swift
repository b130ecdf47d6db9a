import Foundation
import KubeCore

/// The charts of a Canary's page as server-rendered SVG (no script, no library): the weight over the steps of
/// `status.journal`, and each metric's values against its threshold. Each has a text alternative (its
/// `<title>` and `<desc>` list the values) and marks passes and failures by shape as well as colour
/// (Okabe–Ito colours, readable with colour blindness). Pure.
enum DashboardCharts {
    static let width = 480.0, height = 140.0, margin = 28.0
    static let blue = "#0072B2", vermillion = "#D55E00", grey = "#6b6b6b"

    /// One point of a chart.
    struct Point: Equatable {
        var label: String
        var value: Double
        var passed: Bool
    }

    /// The canary weight after each step of the journal (`to: "Progressing 20%"`).
    static func weights(_ journal: [JSONValue]) -> [Point] {
        journal.compactMap { entry in
            guard let to = entry["to"]?.stringValue, let percent = to.split(separator: " ").last?.dropLast(), let weight = Double(percent) else {
                return nil
            }
            return Point(label: time(entry), value: weight, passed: true)
        }
    }

    /// Each metric's values over the journal's steps, by metric name in first-seen order, with its threshold text.
    static func metrics(_ journal: [JSONValue]) -> [(name: String, threshold: String?, points: [Point])] {
        var order: [String] = []
        var found: [String: (threshold: String?, points: [Point])] = [:]
        for entry in journal {
            for metric in entry["metrics"]?.arrayValue ?? [] {
                guard let name = metric["name"]?.stringValue, let value = metric["value"]?.doubleValue, value.isFinite else { continue }
                if found[name] == nil { order.append(name) }
                found[name, default: (metric["threshold"]?.stringValue, [])].points.append(
                    Point(label: time(entry), value: value, passed: metric["passed"]?.boolValue ?? false))
            }
        }
        return order.map { ($0, found[$0]?.threshold, found[$0]?.points ?? []) }
    }

    /// The bounds in a threshold text (`>= 99`, `<= 500`, `>= 1 and <= 5`).
    static func bounds(_ threshold: String?) -> [Double] {
        (threshold ?? "").components(separatedBy: " and ").compactMap { part in
            Double(part.replacingOccurrences(of: ">=", with: "").replacingOccurrences(of: "<=", with: "").trimmingCharacters(in: .whitespaces))
        }
    }

    /// An SVG line chart of `points` with dashed lines at `limits`; `nil` without points.
    static func svg(id: String, title: String, points: [Point], limits: [Double] = [], unit: String = "") -> String? {
        guard !points.isEmpty else { return nil }
        let values = points.map(\.value) + limits
        var (low, high) = (min(values.min() ?? 0, 0), values.max() ?? 1)
        if high - low < 1e-9 { (low, high) = (low - 1, high + 1) }
        let step = points.count > 1 ? (width - 2 * margin) / Double(points.count - 1) : 0
        func x(_ index: Int) -> Double { margin + Double(index) * step }
        func y(_ value: Double) -> Double { height - margin - (value - low) / (high - low) * (height - 2 * margin) }
        let line = points.indices.map { "\(format(x($0))),\(format(y(points[$0].value)))" }.joined(separator: " ")
        let description = points.map { "\($0.label) \(HTML.number($0.value))\(unit)\($0.passed ? "" : " (failed)")" }.joined(separator: ", ")
        var svg = """
            <svg class="chart" role="img" aria-labelledby="\(id)-t \(id)-d" viewBox="0 0 \(Int(width)) \(Int(height))" width="\(Int(width))" height="\(Int(height))">\
            <title id="\(id)-t">\(HTML.escape(title))</title><desc id="\(id)-d">\(HTML.escape(description))</desc>\
            <line x1="\(margin)" y1="\(height - margin)" x2="\(width - margin)" y2="\(height - margin)" stroke="\(grey)"/>\
            <text x="2" y="\(format(y(high)) )" class="axis">\(HTML.escape(HTML.number(high)))</text>\
            <text x="2" y="\(format(y(low)))" class="axis">\(HTML.escape(HTML.number(low)))</text>
            """
        for limit in limits {
            svg +=
                #"<line x1="\#(margin)" y1="\#(format(y(limit)))" x2="\#(width - margin)" y2="\#(format(y(limit)))" stroke="\#(vermillion)" stroke-dasharray="6 4"/>"#
        }
        svg += #"<polyline fill="none" stroke="\#(blue)" stroke-width="2" points="\#(line)"/>"#
        for (index, point) in points.enumerated() {
            let (px, py) = (format(x(index)), format(y(point.value)))
            // A pass is a circle, a failure a cross: the shape says it without the colour.
            svg +=
                point.passed
                ? #"<circle cx="\#(px)" cy="\#(py)" r="4" fill="\#(blue)"/>"#
                : #"<path d="M\#(format(x(index) - 5)),\#(format(y(point.value) - 5)) l10,10 m0,-10 l-10,10" stroke="\#(vermillion)" stroke-width="3"/>"#
        }
        return svg + "</svg>"
    }

    private static func time(_ entry: JSONValue) -> String {
        let text = entry["time"]?.stringValue ?? ""
        return text.count >= 19 ? String(text.dropFirst(11).prefix(8)) : text
    }

    private static func format(_ value: Double) -> String { String(format: "%.1f", value) }
}
