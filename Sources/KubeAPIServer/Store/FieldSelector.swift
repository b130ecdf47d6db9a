import Foundation
import KubeCore

/// A field selector (`metadata.name=web,involvedObject.kind!=Pod`). Any dotted path of the object can be
/// used; a missing field compares as the empty string.
public struct FieldSelector: Sendable {
    struct Requirement: Sendable {
        var path: [String]
        var value: String
        var equal: Bool
    }

    var requirements: [Requirement]

    public init(_ text: String) throws(LabelSelectorError) {
        requirements = []
        for term in text.split(separator: ",").map({ String($0).trimmingCharacters(in: .whitespaces) }) where !term.isEmpty {
            let equal: Bool
            let parts: [Substring]
            if term.contains("!=") {
                equal = false
                parts = term.split(separator: "!=", maxSplits: 1, omittingEmptySubsequences: false).map { Substring($0) }
            } else {
                equal = true
                let separator = term.contains("==") ? "==" : "="
                parts = term.components(separatedBy: separator).map { Substring($0) }
            }
            guard parts.count == 2, !parts[0].isEmpty else { throw LabelSelectorError("invalid field selector \"\(term)\"") }
            requirements.append(Requirement(path: parts[0].split(separator: ".").map(String.init), value: String(parts[1]), equal: equal))
        }
    }

    public func matches(_ object: JSONValue) -> Bool {
        requirements.allSatisfy { requirement in
            var current: JSONValue? = object
            for key in requirement.path { current = current?[key] }
            let actual: String
            switch current {
            case .string(let text)?: actual = text
            case .number(let number)?: actual = number.description
            case .bool(let flag)?: actual = flag ? "true" : "false"
            default: actual = ""
            }
            return (actual == requirement.value) == requirement.equal
        }
    }
}
