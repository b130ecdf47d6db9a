import MetricProviders

/// Where a template variable stands in a query, and whether a value may stand there without changing the
/// query's structure. Tracks string literals as PromQL (and the JSON, Flux, NRQL and SQL-like languages of
/// the other providers) write them: `"…"` and `'…'` with backslash escapes, and raw `` `…` ``.
struct VariablePlacement {
    /// The quote of the string literal the text so far is inside, `nil` outside one.
    private(set) var openQuote: Character?
    private var escaped = false

    /// Moves past `text` (template text or an accepted value).
    mutating func consume(_ text: Substring) {
        for character in text {
            guard let quote = openQuote else {
                if "\"'`".contains(character) { openQuote = character }
                continue
            }
            if escaped {
                escaped = false
            } else if character == "\\" && quote != "`" {
                escaped = true
            } else if character == quote {
                openQuote = nil
            }
        }
    }

    /// Why `value` may not stand here, `nil` when it may. Inside a literal: it must not end it (an
    /// unescaped closing quote, a lone trailing backslash) nor hold a line break; outside one: a name,
    /// number or duration only (letters, digits, `_`, `:`, `.`, and a leading `-`).
    func refusal(of value: String) -> String? {
        guard let quote = openQuote else {
            let body = value.hasPrefix("-") ? value.dropFirst() : Substring(value)
            let plain = !body.isEmpty && body.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_:.".contains($0)) }
            return plain
                ? nil : "outside a string literal a variable may only hold a name, number or duration (letters, digits, _ : . and a leading -)"
        }
        if value.contains(where: \.isNewline) { return "a string literal's value may not hold a line break" }
        var escape = false
        for character in value {
            if escape {
                escape = false
            } else if character == "\\" && quote != "`" {
                escape = true
            } else if character == quote {
                return "it ends the string literal (an unescaped \(quote))"
            }
        }
        return escape ? "it ends with a lone backslash, which would escape the string literal's closing quote" : nil
    }

    /// A value as an error shows it: quoted, control characters escaped, cut at 64 characters.
    static func quoted(_ value: String) -> String {
        let shown = value.count > 64 ? value.prefix(64) + "…" : Substring(value)
        let printable = shown.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "\\u{\(String($0.value, radix: 16))}" : String($0) }
        return "\"" + printable.joined() + "\""
    }
}
