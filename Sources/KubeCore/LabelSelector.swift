/// A structured label selector (`metav1.LabelSelector`): `matchLabels` and `matchExpressions`, ANDed.
///
/// An empty selector matches every object, as in Kubernetes. Use ``queryString`` for the `labelSelector`
/// query parameter, and ``LabelSelectorQuery`` to read that form back.
public struct LabelSelector: Codable, Sendable, Equatable, Hashable {
    public var matchLabels: [String: String]?
    public var matchExpressions: [LabelSelectorRequirement]?

    public init(matchLabels: [String: String]? = nil, matchExpressions: [LabelSelectorRequirement]? = nil) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    /// Every requirement of the selector: `matchLabels` (as equality, sorted by key) then `matchExpressions`.
    public var requirements: [LabelSelectorRequirement] {
        let equalities = (matchLabels ?? [:]).sorted { $0.key < $1.key }.map {
            LabelSelectorRequirement(key: $0.key, operator: .in, values: [$0.value])
        }
        return equalities + (matchExpressions ?? [])
    }

    /// Whether `labels` satisfy every requirement.
    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { $0.matches(labels) }
    }

    /// Checks that operators have the values they need (`In`/`NotIn` at least one, `Exists`/`DoesNotExist` none).
    public func validate() throws(LabelSelectorError) {
        for (index, requirement) in (matchExpressions ?? []).enumerated() {
            try requirement.validate(field: "matchExpressions[\(index)]")
        }
    }

    /// The selector in the query-string form the API server reads, e.g. `app=web,tier in (a,b),!legacy`.
    public var queryString: String {
        let equalities = (matchLabels ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let expressions = (matchExpressions ?? []).map(\.queryString)
        return (equalities + expressions).joined(separator: ",")
    }
}

/// One `matchExpressions` entry.
public struct LabelSelectorRequirement: Codable, Sendable, Equatable, Hashable {
    /// The operators of a structured selector.
    public enum Operator: String, Codable, Sendable, Hashable {
        case `in` = "In"
        case notIn = "NotIn"
        case exists = "Exists"
        case doesNotExist = "DoesNotExist"
    }

    public var key: String
    public var `operator`: Operator
    public var values: [String]?

    public init(key: String, operator: Operator, values: [String]? = nil) {
        self.key = key
        self.operator = `operator`
        self.values = values
    }

    /// Whether `labels` satisfy this requirement.
    public func matches(_ labels: [String: String]) -> Bool {
        let value = labels[key]
        switch self.operator {
        case .in: return value.map { (values ?? []).contains($0) } ?? false
        case .notIn: return value.map { !(values ?? []).contains($0) } ?? true
        case .exists: return value != nil
        case .doesNotExist: return value == nil
        }
    }

    func validate(field: String) throws(LabelSelectorError) {
        let count = values?.count ?? 0
        switch self.operator {
        case .in, .notIn:
            if count == 0 {
                throw LabelSelectorError("\(field).values: must be non-empty for operator \(self.operator.rawValue)")
            }
        case .exists, .doesNotExist:
            if count != 0 {
                throw LabelSelectorError("\(field).values: must be empty for operator \(self.operator.rawValue)")
            }
        }
    }

    var queryString: String {
        let list = (values ?? []).sorted().joined(separator: ",")
        switch self.operator {
        case .in: return values?.count == 1 ? "\(key)=\(values![0])" : "\(key) in (\(list))"
        case .notIn: return "\(key) notin (\(list))"
        case .exists: return key
        case .doesNotExist: return "!\(key)"
        }
    }
}

/// A label selector that cannot be used, naming the part that is wrong.
public struct LabelSelectorError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "invalid label selector: \(message)" }
}
