/// Go's `encoding/json` output for the few shapes other tools hash, byte for byte: object keys sorted by
/// their UTF-8 bytes, no spaces, and Go's escaping (`<`, `>`, `&`, U+2028 and U+2029 as `\u` escapes).
public enum GoJSON {
    /// `json.Marshal` of a `map[string]string` (a ConfigMap's `data`) or of a `map[string][]byte` (a
    /// Secret's `data`, whose base64 strings the API already holds); `null` when `value` is not an object.
    public static func encode(stringMap value: JSONValue?) -> String {
        guard let members = value?.objectValue else { return "null" }
        let sorted = members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        return "{" + sorted.map { quoted($0.key) + ":" + quoted($0.value.stringValue ?? "") }.joined(separator: ",") + "}"
    }

    /// A Go JSON string literal.
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"  // Go 1.22 and later
            case "\u{0C}": out += "\\f"
            case "<", ">", "&", "\u{2028}", "\u{2029}": out += "\\u" + hex4(scalar.value)
            default:
                if scalar.value < 0x20 { out += "\\u" + hex4(scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
