import Foundation

/// A label selector in the query-string form (`app=web,tier in (a,b),!legacy,env!=prod`).
///
/// Supports the operators the API server accepts: `=`, `==`, `!=`, `in`, `notin`, existence (`key`) and
/// non-existence (`!key`). Requirements are ANDed; an empty string matches everything.
public struct LabelSelectorQuery: Sendable, Equatable, CustomStringConvertible {
    /// One parsed requirement.
    public enum Requirement: Sendable, Equatable {
        case equals(String, String)
        case notEquals(String, String)
        case `in`(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case doesNotExist(String)

        func matches(_ labels: [String: String]) -> Bool {
            switch self {
            case .equals(let key, let value): return labels[key] == value
            case .notEquals(let key, let value): return labels[key] != value
            case .in(let key, let values): return labels[key].map(values.contains) ?? false
            case .notIn(let key, let values): return labels[key].map { !values.contains($0) } ?? true
            case .exists(let key): return labels[key] != nil
            case .doesNotExist(let key): return labels[key] == nil
            }
        }
    }

    public var requirements: [Requirement]
    public let description: String

    /// Parses the query-string form.
    ///
    /// - Throws: ``LabelSelectorError`` naming the part that cannot be read.
    public init(_ text: String) throws(LabelSelectorError) {
        description = text
        requirements = []
        for term in LabelSelectorQuery.splitTerms(text) {
            requirements.append(try LabelSelectorQuery.parseTerm(term))
        }
    }

    /// Whether `labels` satisfy every requirement.
    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { $0.matches(labels) }
    }

    /// Splits on commas that are not inside parentheses.
    private static func splitTerms(_ text: String) -> [String] {
        var terms: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            switch character {
            case "(": depth += 1; current.append(character)
            case ")": depth -= 1; current.append(character)
            case "," where depth == 0: terms.append(current); current = ""
            default: current.append(character)
            }
        }
        terms.append(current)
        return terms.map { $0.trimmingSpaces }.filter { !$0.isEmpty }
    }

    private static func parseTerm(_ term: String) throws(LabelSelectorError) -> Requirement {
        if term.hasPrefix("!") {
            return .doesNotExist(try validKey(String(term.dropFirst()).trimmingSpaces, in: term))
        }
        if let range = term.range(of: "!=") {
            return .notEquals(try validKey(term[..<range.lowerBound], in: term), term[range.upperBound...].trimmingSpaces)
        }
        if let range = term.range(of: "==") ?? term.range(of: "=") {
            return .equals(try validKey(term[..<range.lowerBound], in: term), term[range.upperBound...].trimmingSpaces)
        }
        if let set = try setTerm(term, keyword: " notin ") { return .notIn(set.0, set.1) }
        if let set = try setTerm(term, keyword: " in ") { return .in(set.0, set.1) }
        return .exists(try validKey(term, in: term))
    }

    private static func setTerm(_ term: String, keyword: String) throws(LabelSelectorError) -> (String, Set<String>)? {
        guard let range = term.range(of: keyword) else { return nil }
        let key = try validKey(term[..<range.lowerBound], in: term)
        let list = term[range.upperBound...].trimmingSpaces
        guard list.hasPrefix("("), list.hasSuffix(")") else {
            throw LabelSelectorError("\"\(term)\": expected a parenthesised list of values")
        }
        let values = list.dropFirst().dropLast().split(separator: ",").map { String($0).trimmingSpaces }
        guard !values.isEmpty else { throw LabelSelectorError("\"\(term)\": the value list is empty") }
        return (key, Set(values))
    }

    private static func validKey<S: StringProtocol>(_ raw: S, in term: String) throws(LabelSelectorError) -> String {
        let key = String(raw).trimmingSpaces
        let allowed = key.allSatisfy { $0.isLetter || $0.isNumber || "-_./".contains($0) }
        guard !key.isEmpty, allowed else { throw LabelSelectorError("\"\(term)\": invalid label key \"\(key)\"") }
        return key
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
