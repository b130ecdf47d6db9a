import Foundation

/// Applies an RFC 6902 JSON patch (`add`, `remove`, `replace`, `move`, `copy`, `test`) to a document.
public enum JSONPatchApplier {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func apply(_ operations: JSONValue, to document: JSONValue) throws -> JSONValue {
        guard let list = operations.arrayValue else { throw Failure(description: "a JSON patch must be an array of operations") }
        var result = document
        for (index, operation) in list.enumerated() {
            guard let op = operation["op"]?.stringValue, let path = operation["path"]?.stringValue else {
                throw Failure(description: "operation \(index): needs \"op\" and \"path\"")
            }
            let pointer = try parsePointer(path)
            switch op {
            case "add": result = try set(result, pointer, try value(operation, index), insert: true)
            case "replace":
                _ = try get(result, pointer)
                result = try set(result, pointer, try value(operation, index), insert: false)
            case "remove": result = try remove(result, pointer)
            case "test":
                // As the API server's patch library does, a `null` test value also matches a missing path.
                let expected = try value(operation, index)
                let actual = (try? get(result, pointer)) ?? (expected.isNull ? .null : nil)
                guard actual == expected else {
                    throw Failure(description: "operation \(index): test failed at \(path)")
                }
            case "move", "copy":
                guard let from = operation["from"]?.stringValue else { throw Failure(description: "operation \(index): needs \"from\"") }
                let source = try parsePointer(from)
                let moved = try get(result, source)
                if op == "move" { result = try remove(result, source) }
                result = try set(result, pointer, moved, insert: true)
            default: throw Failure(description: "operation \(index): unknown op \"\(op)\"")
            }
        }
        return result
    }

    private static func value(_ operation: JSONValue, _ index: Int) throws -> JSONValue {
        guard let value = operation["value"] else { throw Failure(description: "operation \(index): needs \"value\"") }
        return value
    }

    static func parsePointer(_ path: String) throws -> [String] {
        guard !path.isEmpty else { return [] }
        guard path.hasPrefix("/") else { throw Failure(description: "invalid JSON pointer \"\(path)\"") }
        return path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    static func get(_ document: JSONValue, _ pointer: [String]) throws -> JSONValue {
        var current = document
        for token in pointer {
            switch current {
            case .object(let members):
                guard let next = members[token] else { throw Failure(description: "path not found: /\(pointer.joined(separator: "/"))") }
                current = next
            case .array(let elements):
                guard let index = Int(token), elements.indices.contains(index) else {
                    throw Failure(description: "index out of range: /\(pointer.joined(separator: "/"))")
                }
                current = elements[index]
            default: throw Failure(description: "path not found: /\(pointer.joined(separator: "/"))")
            }
        }
        return current
    }

    private static func set(_ document: JSONValue, _ pointer: [String], _ value: JSONValue, insert: Bool) throws -> JSONValue {
        guard let token = pointer.first else { return value }
        let rest = Array(pointer.dropFirst())
        switch document {
        case .object(var members):
            if rest.isEmpty {
                members[token] = value
            } else {
                guard let child = members[token] else { throw Failure(description: "path not found: \(token)") }
                members[token] = try set(child, rest, value, insert: insert)
            }
            return .object(members)
        case .array(var elements):
            if rest.isEmpty && token == "-" {
                elements.append(value)
                return .array(elements)
            }
            guard let index = Int(token), index >= 0, index <= elements.count, rest.isEmpty ? true : index < elements.count else {
                throw Failure(description: "index out of range: \(token)")
            }
            if rest.isEmpty {
                if insert {
                    elements.insert(value, at: index)
                } else {
                    guard index < elements.count else { throw Failure(description: "index out of range: \(token)") }
                    elements[index] = value
                }
            } else {
                elements[index] = try set(elements[index], rest, value, insert: insert)
            }
            return .array(elements)
        default:
            throw Failure(description: "cannot add a member to a scalar at \(token)")
        }
    }

    private static func remove(_ document: JSONValue, _ pointer: [String]) throws -> JSONValue {
        guard let token = pointer.first else { throw Failure(description: "cannot remove the whole document") }
        let rest = Array(pointer.dropFirst())
        switch document {
        case .object(var members):
            guard let child = members[token] else { throw Failure(description: "path not found: \(token)") }
            if rest.isEmpty { members.removeValue(forKey: token) } else { members[token] = try remove(child, rest) }
            return .object(members)
        case .array(var elements):
            guard let index = Int(token), elements.indices.contains(index) else { throw Failure(description: "index out of range: \(token)") }
            if rest.isEmpty { elements.remove(at: index) } else { elements[index] = try remove(elements[index], rest) }
            return .array(elements)
        default:
            throw Failure(description: "path not found: \(token)")
        }
    }
}
