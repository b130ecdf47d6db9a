import Foundation

/// Renders Flagger's query templates: `{{ namespace }}`, `{{ name }}`, `{{ target }}`, `{{ service }}`,
/// `{{ ingress }}`, `{{ route }}`, `{{ interval }}` and `{{ variables.key }}`. Whitespace runs collapse to one
/// space, as Flagger does before sending a query.
public struct QueryTemplate: Sendable {
    public var values: [String: String]
    public var variables: [String: String]

    public init(values: [String: String], variables: [String: String] = [:]) {
        self.values = values
        self.variables = variables
    }

    /// - Throws: ``MetricError`` naming an unknown placeholder or a missing variable.
    public func render(_ template: String) throws(MetricError) -> String {
        var output = ""
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw MetricError.render("unclosed \"{{\" in the query template")
            }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            output += try value(of: name)
            rest = rest[close.upperBound...]
        }
        output += rest
        return output.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Whether `template` has the placeholder `{{ name }}`.
    public static func uses(_ name: String, in template: String) -> Bool {
        var rest = Substring(template)
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            if rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces) == name { return true }
            rest = rest[close.upperBound...]
        }
        return false
    }

    private func value(of name: String) throws(MetricError) -> String {
        if name.hasPrefix("variables.") {
            let key = String(name.dropFirst("variables.".count))
            guard let value = variables[key] else {
                throw MetricError.render("map has no entry for key \"\(key)\" (set it in templateVariables)")
            }
            return value
        }
        guard let value = values[name] else { throw MetricError.render("function \"\(name)\" not defined") }
        return value
    }
}
