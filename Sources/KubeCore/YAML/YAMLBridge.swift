import Yams

/// Converts YAML (as Yams reads it) into JSON values, keeping mapping order.
public enum YAMLBridge {
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Parses every document of a YAML stream.
    public static func documents(_ text: String) throws -> [JSONValue] {
        try Yams.compose_all(yaml: text).map(json(from:))
    }

    public static func json(from node: Node) throws -> JSONValue {
        switch node {
        case .scalar(let scalar): return scalarValue(scalar)
        case .sequence(let sequence): return .array(try sequence.map(json(from:)))
        case .mapping(let mapping):
            var members = JSONObject()
            for (key, value) in mapping {
                guard let name = key.string else { throw Failure(description: "a mapping key is not a string") }
                members[name] = try json(from: value)
            }
            return .object(members)
        case .alias: throw Failure(description: "YAML aliases are not supported")
        }
    }

    private static func scalarValue(_ scalar: Node.Scalar) -> JSONValue {
        if scalar.style == .plain {
            switch scalar.string {
            case "null", "~", "", "Null", "NULL": return .null
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default: break
            }
            if let integer = Int64(scalar.string) { return .int(integer) }
            if scalar.string.first.map({ $0.isNumber || $0 == "-" || $0 == "." }) == true, let number = Double(scalar.string) {
                return .double(number)
            }
        }
        return .string(scalar.string)
    }
}
