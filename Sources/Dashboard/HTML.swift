import Foundation
/// Building HTML safely: every text from an object or a provider goes through ``escape(_:)``.
enum HTML {
    /// `text` with `&`, `<`, `>`, `"` and `'` escaped, for text and attribute values alike.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// JSON for a `<script type="application/json">` block: `<` escaped so no text can close the element.
    static func scriptJSON(_ json: String) -> String { json.replacingOccurrences(of: "<", with: "\\u003c") }

    /// A number as the page shows it: integers without a fraction, others with up to four significant digits.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return String(format: "%.4g", value)
    }
}
