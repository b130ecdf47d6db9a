import Foundation

/// What the mesh knows about a request when it picks a route. Synthetic traffic has no headers and no
/// path: a condition on those does not hold for it, a condition on the path does (it stands for any path).
struct RequestAttributes: Sendable {
    var method: String?
    /// The path, without the query; `nil` for synthetic traffic.
    var path: String?
    var query: [String: String] = [:]
    /// Header names in lower case.
    var headers: [String: String] = [:]

    /// The `Host` the client named; `nil` for synthetic traffic.
    var host: String? { headers["host"] }

    static let synthetic = RequestAttributes()
}
