import Foundation

/// Takes credentials out of text before it leaves the process: Events, status, the journal, logs, traces,
/// alerts and command output all pass through here.
///
/// What counts as a credential:
/// - a URL's user information (`https://user:PASSWORD@host` becomes `https://user:REDACTED@host`, and
///   `https://TOKEN@host` becomes `https://REDACTED@host`);
/// - the value of a query parameter whose name says it holds one (`token`, `access_token`, `key`, `sig`,
///   `secret`, `password`, `auth`, … and any name containing `token`, `secret`, `password`, `key`, `sig` or
///   `auth`);
/// - a path segment that looks like a token: 20 characters or more, or 12 or more mixing letters and
///   digits (Slack's, Teams', Discord's, Rocket.Chat's and Feishu's hook URLs carry their secret so);
/// - the word after `Bearer` or `Basic` (an `Authorization` header quoted in an error).
///
/// Redaction is pure and total: any text gives text, and text without a credential is returned unchanged.
public enum Redaction {
    /// What a credential is replaced with.
    public static let mask = "REDACTED"

    /// `text` with the credentials of every URL in it (and of `Bearer`/`Basic` words) masked.
    public static func scrub(_ text: String) -> String {
        guard mayHoldCredential(text) else { return text }
        var output = ""
        var rest = Substring(text)
        while let start = nextURL(in: rest) {
            output += rest[..<start]
            let end = rest[start...].firstIndex(where: isURLTerminator) ?? rest.endIndex
            var candidate = rest[start..<end]
            // Trailing punctuation belongs to the sentence, not the URL.
            while let last = candidate.last, ".,;:)]}!?".contains(last) { candidate = candidate.dropLast() }
            output += url(String(candidate))
            rest = rest[candidate.endIndex...]
        }
        output += rest
        return maskingAuthorizationWords(output)
    }

    /// One URL with its credentials masked; what is not a URL is returned unchanged.
    public static func url(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://") else { return text }
        let scheme = text[..<schemeEnd.upperBound]
        var rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { "/?#".contains($0) }) ?? rest.endIndex
        var authority = String(rest[..<authorityEnd])
        rest = rest[authorityEnd...]
        if let at = authority.lastIndex(of: "@") {
            let userinfo = authority[..<at]
            let host = authority[authority.index(after: at)...]
            if let colon = userinfo.firstIndex(of: ":") {
                authority = "\(userinfo[..<colon]):\(mask)@\(host)"
            } else {
                authority = "\(mask)@\(host)"
            }
        }
        let fragmentStart = rest.firstIndex(of: "#") ?? rest.endIndex
        let fragment = rest[fragmentStart...]
        let beforeFragment = rest[..<fragmentStart]
        let queryStart = beforeFragment.firstIndex(of: "?") ?? beforeFragment.endIndex
        let path = beforeFragment[..<queryStart].split(separator: "/", omittingEmptySubsequences: false)
            .map { looksLikeToken($0) ? mask : String($0) }.joined(separator: "/")
        var query = ""
        if queryStart < beforeFragment.endIndex {
            let pairs = beforeFragment[beforeFragment.index(after: queryStart)...].split(separator: "&", omittingEmptySubsequences: false)
            query = "?" + pairs.map(maskedPair).joined(separator: "&")
        }
        return String(scheme) + authority + path + query + String(fragment)
    }

    /// Where a configured endpoint is, without anything that may be its secret: scheme, host and port only
    /// (`https://hooks.slack.com/…`). For logs that name a destination the operator was given.
    public static func endpoint(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://") else { return text.isEmpty ? text : "(not a URL)" }
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { "/?#".contains($0) }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        return String(text[..<schemeEnd.upperBound]) + String(authority) + (authorityEnd < rest.endIndex ? "/…" : "")
    }

    /// Every string in `value` scrubbed (keys are kept): for status and other JSON that leaves the process.
    /// A value with no string that may hold a credential is returned as it is, without a copy.
    public static func scrub(_ value: JSONValue) -> JSONValue {
        guard mayHoldCredential(value) else { return value }
        switch value {
        case .string(let text): return .string(scrub(text))
        case .array(let items): return .array(items.map(scrub))
        case .object(let object): return .object(object.mapValues(scrub))
        default: return value
        }
    }

    /// Whether `text` holds `://`, `Bearer ` or `Basic `: what ``scrub(_:)-(String)`` looks for first. One pass
    /// over the UTF-8 bytes, without Foundation's string search (statuses and log lines pass here all the time).
    static func mayHoldCredential(_ text: String) -> Bool {
        let utf8 = text.utf8
        if let found = utf8.withContiguousStorageIfAvailable({ mayHoldCredential(bytes: $0) }) { return found }
        return mayHoldCredential(bytes: Array(utf8))
    }

    private static func mayHoldCredential(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): mayHoldCredential(text)
        case .array(let items): items.contains(where: mayHoldCredential)
        case .object(let object): object.values.contains(where: mayHoldCredential)
        default: false
        }
    }

    private static func mayHoldCredential(bytes: some RandomAccessCollection<UInt8>) -> Bool {
        let colon = UInt8(ascii: ":"), slash = UInt8(ascii: "/"), capitalB = UInt8(ascii: "B")
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            let rest = bytes[index...]
            if byte == colon, rest.starts(with: [colon, slash, slash]) { return true }
            if byte == capitalB, rest.starts(with: "Bearer ".utf8) || rest.starts(with: "Basic ".utf8) { return true }
            index = bytes.index(after: index)
        }
        return false
    }

    /// Whether a query parameter's name says it holds a credential.
    public static func isSensitiveParameter(_ name: some StringProtocol) -> Bool {
        let lowered = name.lowercased()
        return ["token", "secret", "password", "passwd", "pwd", "key", "sig", "auth", "credential", "session"].contains { lowered.contains($0) }
    }

    private static func maskedPair(_ pair: Substring) -> String {
        guard let equals = pair.firstIndex(of: "="), isSensitiveParameter(pair[..<equals]) else { return String(pair) }
        return "\(pair[...equals])\(mask)"
    }

    /// A path segment that is probably a secret: long, or mixing letters and digits, in a token's alphabet.
    static func looksLikeToken(_ segment: Substring) -> Bool {
        guard segment.count >= 12, segment.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.~%+=".contains($0)) }) else {
            return false
        }
        if segment.count >= 20 { return true }
        return segment.contains(where: \.isNumber) && segment.contains(where: \.isLetter)
    }

    /// Where the next URL starts (its scheme's first letter), if any.
    private static func nextURL(in text: Substring) -> Substring.Index? {
        var searchFrom = text.startIndex
        while let separator = text[searchFrom...].range(of: "://") {
            var start = separator.lowerBound
            while start > text.startIndex {
                let previous = text.index(before: start)
                guard text[previous].isASCII, text[previous].isLetter || text[previous].isNumber || "+.-".contains(text[previous]) else { break }
                start = previous
            }
            if start < separator.lowerBound { return start }
            searchFrom = separator.upperBound
        }
        return nil
    }

    private static func isURLTerminator(_ character: Character) -> Bool {
        character.isWhitespace || "\"'<>`\\|^{}".contains(character)
    }

    /// `Bearer abc` and `Basic abc` with the credential masked.
    private static func maskingAuthorizationWords(_ text: String) -> String {
        var output = text
        for word in ["Bearer ", "Basic "] {
            var result = ""
            var rest = Substring(output)
            while let found = rest.range(of: word) {
                result += rest[..<found.upperBound]
                let after = rest[found.upperBound...]
                let end = after.firstIndex(where: { $0.isWhitespace || "\"',;".contains($0) }) ?? after.endIndex
                result += after.startIndex < end ? mask : ""
                rest = after[end...]
            }
            output = result + rest
        }
        return output
    }
}
