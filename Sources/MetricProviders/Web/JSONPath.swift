import CanaryAPI
import Foundation
import KubeCore

/// The JSONPath subset a `web` metric reads one number with: `$`, then `.name`, `['name']` or `["name"]`,
/// and `[index]` (negative from the end). Pure.
struct JSONPath: Sendable, Equatable, CustomStringConvertible {
    enum Step: Sendable, Equatable {
        case member(String)
        case index(Int)
    }

    var steps: [Step]
    let text: String
    var description: String { text }

    init(parsing text: String) throws(MetricError) {
        self.text = text
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard rest.first == "$" else { throw MetricError.query("web: jsonPath \(text) must start with $") }
        rest = rest.dropFirst()
        steps = []
        while let first = rest.first {
            if first == "." {
                let name = rest.dropFirst().prefix { $0 != "." && $0 != "[" }
                guard !name.isEmpty else { throw MetricError.query("web: jsonPath \(text) has an empty name") }
                steps.append(.member(String(name)))
                rest = rest.dropFirst(1 + name.count)
            } else if first == "[", let close = rest.firstIndex(of: "]") {
                let inside = rest[rest.index(after: rest.startIndex)..<close]
                if let quote = inside.first, quote == "'" || quote == "\"", inside.count >= 2, inside.last == quote {
                    steps.append(.member(String(inside.dropFirst().dropLast())))
                } else if let index = Int(inside) {
                    steps.append(.index(index))
                } else {
                    throw MetricError.query("web: jsonPath \(text): [\(inside)] is neither an index nor a quoted name")
                }
                rest = rest[rest.index(after: close)...]
            } else {
                throw MetricError.query("web: jsonPath \(text) is not understood at \(rest)")
            }
        }
    }

    /// The number at the path: a JSON number, a numeric string, or a boolean (true is 1). Missing or `null`
    /// is no values; an object or array is an error naming the path.
    func number(in document: JSONValue) throws(MetricError) -> Double {
        var node = document
        for step in steps {
            switch (step, node) {
            case (.member(let name), .object(let members)):
                guard let next = members[name] else { throw MetricError.noValues }
                node = next
            case (.index(let index), .array(let items)):
                let position = index < 0 ? items.count + index : index
                guard items.indices.contains(position) else { throw MetricError.noValues }
                node = items[position]
            default:
                throw MetricError.noValues
            }
        }
        switch node {
        case .null: throw MetricError.noValues
        case .bool(let flag): return flag ? 1 : 0
        case .string(let text):
            guard let value = Double(text.trimmingCharacters(in: .whitespaces)) else {
                throw MetricError.query("web: \(self.text) is \"\(text)\", not a number")
            }
            guard value.isFinite else { throw MetricError.notFinite(text) }
            return value
        default:
            guard let value = node.doubleValue else { throw MetricError.query("web: \(self.text) selects an object or array, not a number") }
            guard value.isFinite else { throw MetricError.notFinite("\(value)") }
            return value
        }
    }
}
