import Foundation
import KubeCore
import Synchronization

/// A custom resource checked against its CRD's structural schema (`openAPIV3Schema`), as the API server
/// does: unknown fields pruned (or reported, for `fieldValidation=Strict`), `null` dropped where not
/// `nullable`, `default`s filled in, then `type`, `required`, `enum`, `minimum`/`maximum` (and exclusive),
/// `minLength`/`maxLength`, `pattern`, `minItems`/`maxItems`, `minProperties`/`maxProperties`, `oneOf`,
/// `anyOf`, `allOf` and `not` checked, with Kubernetes' field errors.
///
/// `x-kubernetes-preserve-unknown-fields` keeps what is not declared, `x-kubernetes-int-or-string` takes
/// either, `x-kubernetes-embedded-resource` keeps `apiVersion`, `kind` and `metadata`. A pure function.
///
/// Caveats: CEL rules (`x-kubernetes-validations`) and `format` are not checked; `pattern` uses
/// `NSRegularExpression`, which accepts a superset of the ECMA syntax Kubernetes requires.
struct SchemaValidator {
    /// How a request wants unknown fields handled (`fieldValidation`): `Strict` refuses them, `Warn` (the
    /// default) and `Ignore` prune them, `Warn` with a warning. Set by the API server for the request it serves.
    @TaskLocal static var fieldValidation = "Warn"
    /// The warnings of the request being served (the API server sends them as `Warning` headers).
    @TaskLocal static var warnings: WarningCollector?

    /// Warnings gathered while one request is served.
    final class WarningCollector: Sendable {
        private let messages = Mutex<[String]>([])
        func add(_ message: String) { messages.withLock { $0.append(message) } }
        var all: [String] { messages.withLock { $0 } }
    }

    /// What checking one object found.
    struct Outcome {
        var object: JSONValue
        var causes: [KubeStatus.Cause] = []
        /// Paths of fields the schema does not declare (pruned).
        var unknownFields: [String] = []
    }

    static func validate(_ object: JSONValue, schema: JSONValue) -> Outcome {
        guard case .object(var members) = object else { return Outcome(object: object) }
        var outcome = Outcome(object: object)
        // apiVersion, kind and metadata belong to the server, whatever the schema says of them.
        var body = members
        for key in ["apiVersion", "kind", "metadata"] { body.removeValue(forKey: key) }
        var bodySchema = schema
        bodySchema["properties"]?["apiVersion"] = nil
        bodySchema["properties"]?["kind"] = nil
        bodySchema["properties"]?["metadata"] = nil
        let checked = walk(.object(body), schema: bodySchema, path: "", outcome: &outcome)
        for (key, value) in checked.objectValue ?? [:] { members[key] = value }
        for key in members.keys where !["apiVersion", "kind", "metadata"].contains(key) && checked[key] == nil {
            members.removeValue(forKey: key)
        }
        outcome.object = .object(members)
        return outcome
    }

    /// Prunes, defaults and checks `value` at `path`; returns what is kept.
    private static func walk(_ value: JSONValue, schema: JSONValue, path: String, outcome: inout Outcome) -> JSONValue {
        var value = value
        if case .object(var members) = value, let properties = schema["properties"]?.objectValue {
            for (name, property) in properties where members[name] == nil {
                if let fallback = property["default"] { members[name] = fallback }
            }
            let preserve = schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true
            let embedded = schema["x-kubernetes-embedded-resource"]?.boolValue == true
            for (name, member) in members {
                if embedded && properties[name] == nil && ["apiVersion", "kind", "metadata"].contains(name) { continue }
                let child = path.isEmpty ? name : "\(path).\(name)"
                if member.isNull, properties[name]?["nullable"]?.boolValue != true {
                    members.removeValue(forKey: name)
                } else if let property = properties[name] {
                    members[name] = walk(member, schema: property, path: child, outcome: &outcome)
                } else if let additional = schema["additionalProperties"], additional.objectValue != nil {
                    members[name] = walk(member, schema: additional, path: child, outcome: &outcome)
                } else if !preserve && schema["additionalProperties"]?.boolValue != true {
                    members.removeValue(forKey: name)
                    outcome.unknownFields.append(child)
                }
            }
            value = .object(members)
        } else if case .object(var members) = value, let additional = schema["additionalProperties"], additional.objectValue != nil {
            for (name, member) in members {
                members[name] = walk(member, schema: additional, path: path.isEmpty ? name : "\(path).\(name)", outcome: &outcome)
            }
            value = .object(members)
        } else if case .array(let elements) = value, let items = schema["items"] {
            value = .array(elements.enumerated().map { walk($0.element, schema: items, path: "\(path)[\($0.offset)]", outcome: &outcome) })
        }
        outcome.causes += check(value, schema: schema, path: path)
        return value
    }

    /// The schema's own constraints on `value` (its members were walked already).
    static func check(_ value: JSONValue, schema: JSONValue, path: String) -> [KubeStatus.Cause] {
        if value.isNull && schema["nullable"]?.boolValue == true { return [] }
        if let type = schema["type"]?.stringValue, !matches(value, type: type, schema: schema) {
            return [typeError(path, value, type)]
        }
        if schema["x-kubernetes-int-or-string"]?.boolValue == true, value.stringValue == nil, value.int64Value == nil {
            return [typeError(path, value, "integer or string")]
        }
        var causes: [KubeStatus.Cause] = []
        if let allowed = schema["enum"]?.arrayValue, !allowed.contains(value) {
            let list = allowed.map { $0.jsonString }.joined(separator: ", ")
            causes.append(
                .init(
                    reason: "FieldValueNotSupported", message: "Unsupported value: \(value.jsonString): supported values: \(list)",
                    field: path))
        }
        causes += bounds(value, schema: schema, path: path)
        if case .object(let members) = value {
            for name in (schema["required"]?.arrayValue ?? []).compactMap(\.stringValue) where members[name] == nil {
                causes.append(.init(reason: "FieldValueRequired", message: "Required value", field: path.isEmpty ? name : "\(path).\(name)"))
            }
        }
        causes += combinators(value, schema: schema, path: path)
        return causes
    }

    private static func bounds(_ value: JSONValue, schema: JSONValue, path: String) -> [KubeStatus.Cause] {
        var causes: [KubeStatus.Cause] = []
        if case .number(let number) = value {
            let double = number.doubleValue
            if let minimum = schema["minimum"]?.doubleValue {
                let exclusive = schema["exclusiveMinimum"]?.boolValue == true
                if exclusive ? double <= minimum : double < minimum {
                    causes.append(
                        invalid(
                            path, value, "\(path) in body should be greater than \(exclusive ? "" : "or equal to ")\(schema["minimum"]!.jsonString)"))
                }
            }
            if let maximum = schema["maximum"]?.doubleValue {
                let exclusive = schema["exclusiveMaximum"]?.boolValue == true
                if exclusive ? double >= maximum : double > maximum {
                    causes.append(
                        invalid(path, value, "\(path) in body should be less than \(exclusive ? "" : "or equal to ")\(schema["maximum"]!.jsonString)")
                    )
                }
            }
        }
        if case .string(let text) = value {
            if let limit = schema["maxLength"]?.intValue, text.count > limit {
                causes.append(.init(reason: "FieldValueTooLong", message: "Too long: may not be longer than \(limit)", field: path))
            }
            if let limit = schema["minLength"]?.intValue, text.count < limit {
                causes.append(invalid(path, value, "\(path) in body should be at least \(limit) chars long"))
            }
            if let pattern = schema["pattern"]?.stringValue, !matches(text, pattern: pattern) {
                causes.append(invalid(path, value, "\(path) in body should match '\(pattern)'"))
            }
        }
        if case .array(let elements) = value {
            if let limit = schema["maxItems"]?.intValue, elements.count > limit {
                causes.append(
                    .init(reason: "FieldValueTooMany", message: "Too many: \(elements.count): must have at most \(limit) items", field: path))
            }
            if let limit = schema["minItems"]?.intValue, elements.count < limit {
                causes.append(invalid(path, value, "\(path) in body should have at least \(limit) items"))
            }
        }
        if case .object(let members) = value {
            if let limit = schema["maxProperties"]?.intValue, members.count > limit {
                causes.append(
                    .init(reason: "FieldValueTooMany", message: "Too many: \(members.count): must have at most \(limit) items", field: path))
            }
            if let limit = schema["minProperties"]?.intValue, members.count < limit {
                causes.append(invalid(path, value, "\(path) in body should have at least \(limit) properties"))
            }
        }
        return causes
    }

    private static func combinators(_ value: JSONValue, schema: JSONValue, path: String) -> [KubeStatus.Cause] {
        func holds(_ branch: JSONValue) -> Bool { deepCheck(value, schema: branch, path: path).isEmpty }
        var causes: [KubeStatus.Cause] = []
        if let branches = schema["oneOf"]?.arrayValue, branches.filter(holds).count != 1 {
            causes.append(invalid(path, value, "must validate one and only one schema (oneOf)"))
        }
        if let branches = schema["anyOf"]?.arrayValue, !branches.contains(where: holds) {
            causes.append(invalid(path, value, "must validate at least one schema (anyOf)"))
        }
        for branch in schema["allOf"]?.arrayValue ?? [] { causes += deepCheck(value, schema: branch, path: path) }
        if let negated = schema["not"], holds(negated) { causes.append(invalid(path, value, "must not validate the schema (not)")) }
        return causes
    }

    /// A combinator's branch, checked against the value and its members (branches never prune).
    private static func deepCheck(_ value: JSONValue, schema: JSONValue, path: String) -> [KubeStatus.Cause] {
        var causes = check(value, schema: schema, path: path)
        if case .object(let members) = value, let properties = schema["properties"]?.objectValue {
            for (name, property) in properties {
                if let member = members[name] { causes += deepCheck(member, schema: property, path: path.isEmpty ? name : "\(path).\(name)") }
            }
        }
        if case .array(let elements) = value, let items = schema["items"] {
            for (offset, element) in elements.enumerated() { causes += deepCheck(element, schema: items, path: "\(path)[\(offset)]") }
        }
        return causes
    }

    private static func matches(_ value: JSONValue, type: String, schema: JSONValue) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool): return true
        case ("integer", .number(let number)): return number.int64Value != nil
        case ("number", .number): return true
        case ("string", .number): return schema["x-kubernetes-int-or-string"]?.boolValue == true
        default: return false
        }
    }

    private static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "boolean"
        case .number(let number): return number.int64Value != nil ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// `spec.x: Invalid value: "string": spec.x in body must be of type integer: "string"`.
    private static func typeError(_ path: String, _ value: JSONValue, _ type: String) -> KubeStatus.Cause {
        .init(
            reason: "FieldValueTypeInvalid",
            message: "Invalid value: \"\(typeName(value))\": \(path) in body must be of type \(type): \"\(typeName(value))\"", field: path)
    }

    private static func invalid(_ path: String, _ value: JSONValue, _ detail: String) -> KubeStatus.Cause {
        let shown =
            value.stringValue.map { "\"\($0)\"" }
            ?? (value.objectValue != nil || value.arrayValue != nil ? "\"\(typeName(value))\"" : value.jsonString)
        return .init(reason: "FieldValueInvalid", message: "Invalid value: \(shown): \(detail)", field: path)
    }

    private static func matches(_ text: String, pattern: String) -> Bool {
        guard let expression = expression(pattern) else { return true }  // an invalid pattern is the CRD's error
        return expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// Each schema pattern compiled once (a CRD has a few; every write of its objects checks them), `nil` for
    /// one that does not compile.
    private static func expression(_ pattern: String) -> NSRegularExpression? {
        if let known = compiled.withLock({ $0[pattern] }) { return known }
        let expression = try? NSRegularExpression(pattern: pattern)
        compiled.withLock { if $0.count < 1_000 { $0[pattern] = .some(expression) } }
        return expression
    }

    private static let compiled = Mutex<[String: NSRegularExpression?]>([:])
}

extension ObjectStore {
    /// `object` pruned, defaulted and checked against its kind's schema, when it has one.
    nonisolated func validated(_ type: ResourceType, _ object: JSONValue) throws(APIError) -> JSONValue {
        guard validatesSchemas, let schema = type.schema else { return object }
        let outcome = SchemaValidator.validate(object, schema: schema)
        let name = object[path: "metadata", "name"]?.stringValue ?? ""
        if !outcome.unknownFields.isEmpty {
            let fields = outcome.unknownFields.map { "unknown field \"\($0)\"" }
            switch SchemaValidator.fieldValidation {
            case "Strict":
                let kind = type.resource.kind
                throw APIError.badRequest(
                    "\(kind) in version \"\(type.resource.version)\" cannot be handled as a \(kind): strict decoding error: "
                        + fields.joined(separator: ", "))
            case "Ignore": break
            default: for field in fields { SchemaValidator.warnings?.add(field) }
            }
        }
        if !outcome.causes.isEmpty { throw APIError.invalid(type, name, causes: outcome.causes) }
        return outcome.object
    }
}
