import Foundation

/// A `multipart/form-data` body of text fields, written as Go's `mime/multipart.Writer` writes it (Flagger's
/// Concord task uses it): a random 60-hex-digit boundary, one `Content-Disposition: form-data; name="…"` part
/// per field in order, and the closing delimiter.
struct MultipartForm: Sendable {
    var fields: [(name: String, value: String)] = []
    var boundary: String

    init(boundary: String = MultipartForm.randomBoundary()) { self.boundary = boundary }

    mutating func append(_ name: String, _ value: String) { fields.append((name, value)) }

    /// The request's `Content-Type`.
    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    /// The encoded body.
    var body: [UInt8] {
        var text = ""
        for (index, field) in fields.enumerated() {
            text += index == 0 ? "--\(boundary)\r\n" : "\r\n--\(boundary)\r\n"
            text += "Content-Disposition: form-data; name=\"\(MultipartForm.escape(field.name))\"\r\n\r\n"
            text += field.value
        }
        text += fields.isEmpty ? "--\(boundary)--\r\n" : "\r\n--\(boundary)--\r\n"
        return Array(text.utf8)
    }

    /// Go's quoting of a field name: backslashes and double quotes escaped.
    static func escape(_ name: String) -> String {
        name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }

    static func randomBoundary() -> String {
        (0..<30).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }
}
