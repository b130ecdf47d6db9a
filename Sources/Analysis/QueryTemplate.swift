import Foundation
import MetricProviders

/// Renders Flagger's query templates: `{{ namespace }}`, `{{ name }}`, `{{ target }}`, `{{ service }}`,
/// `{{ ingress }}`, `{{ route }}`, `{{ interval }}`, `{{ revision }}` (Serin's: a StatefulSet's analysed revision)
/// and `{{ variables.key }}`. Whitespace runs collapse to one
/// space, as Flagger does before sending a query, except for providers whose query is a document (`job`'s YAML).
///
/// A `templateVariables` value is the Canary author's, a shared template is its owner's policy: a value may
/// fill a place in the query but never change the query's structure (``VariablePlacement``). Inside a string
/// literal it may hold anything that does not end the literal; outside one only a name, number or duration.
/// A value that would do more is refused with an error naming the variable, never sent.
public struct QueryTemplate: Sendable {
    public var values: [String: String]
    public var variables: [String: String]

    public init(values: [String: String], variables: [String: String] = [:]) {
        self.values = values
        self.variables = variables
    }

    /// - Throws: ``MetricError`` naming an unknown placeholder, a missing variable, or a variable whose value
    ///   would change the query's structure (``MetricError/variable`` set).
    public func render(_ template: String, collapsingWhitespace: Bool = true) throws(MetricError) -> String {
        var output = ""
        var rest = Substring(template)
        var literal = VariablePlacement()
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            literal.consume(rest[..<open.lowerBound])
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw MetricError.render("unclosed \"{{\" in the query template")
            }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            let value = try value(of: name)
            if name.hasPrefix("variables."), let refusal = literal.refusal(of: value) {
                let key = String(name.dropFirst("variables.".count))
                var error = MetricError.render(
                    "templateVariables.\(key): the value \(VariablePlacement.quoted(value)) would change the query's structure: \(refusal)")
                error.variable = key
                throw error
            }
            output += value
            literal.consume(Substring(value))
            rest = rest[close.upperBound...]
        }
        output += rest
        return collapsingWhitespace ? output.split(whereSeparator: \.isWhitespace).joined(separator: " ") : output
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
