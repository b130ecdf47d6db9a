import Crypto
import Foundation

/// AWS Signature Version 4 for one request (docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html):
/// the canonical request, the string to sign, the signing key derived from the secret, and the
/// `Authorization` header. Checked against AWS's published test suite (`SigV4Tests`).
struct SigV4: Sendable {
    struct Credentials: Sendable, Equatable {
        var accessKeyID: String
        var secretAccessKey: String
        var sessionToken: String?
    }

    var credentials: Credentials
    var region: String
    var service: String

    /// The headers to add to a request: `X-Amz-Date`, `X-Amz-Security-Token` (with a session token), and
    /// `Authorization`. `headers` are the request's own (`Host` among them); each is signed.
    func sign(
        method: String, path: String, query: [(String, String)] = [], headers: [(String, String)], body: [UInt8], date: Date
    ) -> [(String, String)] {
        let stamp = SigV4.timestamp(date)
        var signed = headers + [("X-Amz-Date", stamp)]
        if let token = credentials.sessionToken { signed.append(("X-Amz-Security-Token", token)) }
        let canonicalHeaders = Dictionary(grouping: signed) { $0.0.lowercased() }
            .mapValues { $0.map { $0.1.trimmingCharacters(in: .whitespaces) }.joined(separator: ",") }
            .sorted { $0.key < $1.key }
        let signedNames = canonicalHeaders.map(\.key).joined(separator: ";")
        let canonicalQuery = query.map { (SigV4.encode($0.0), SigV4.encode($0.1)) }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        let canonical = [
            method, SigV4.canonicalPath(path), canonicalQuery, canonicalHeaders.map { "\($0.key):\($0.value)\n" }.joined(),
            signedNames, SigV4.hex(SHA256.hash(data: body)),
        ].joined(separator: "\n")
        let day = String(stamp.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let toSign = ["AWS4-HMAC-SHA256", stamp, scope, SigV4.hex(SHA256.hash(data: Array(canonical.utf8)))].joined(separator: "\n")
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        let signature = SigV4.hex(HMAC<SHA256>.authenticationCode(for: Array(toSign.utf8), using: key))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedNames), Signature=\(signature)"
        return Array(signed.dropFirst(headers.count)) + [("Authorization", authorization)]
    }

    /// `20150830T123600Z`.
    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    /// RFC 3986 encoding: everything but `A-Z a-z 0-9 - _ . ~` as `%XX`.
    static func encode(_ text: String) -> String {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
        return text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// Each path segment encoded (the path is never empty: `/`).
    static func canonicalPath(_ path: String) -> String {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map { encode(String($0)) }
        let joined = segments.joined(separator: "/")
        return joined.isEmpty ? "/" : joined
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
