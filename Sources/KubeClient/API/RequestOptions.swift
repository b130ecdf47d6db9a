import KubeCore

/// Options of a list request.
public struct ListOptions: Sendable {
    /// A label selector in query form; see `LabelSelector.queryString`.
    public var labelSelector: String?
    /// A field selector such as `metadata.name=web`.
    public var fieldSelector: String?
    /// The page size; continue with ``continue``.
    public var limit: Int?
    /// The `continue` token of the previous page.
    public var `continue`: String?
    /// Serve from this resource version (`0` allows the watch cache).
    public var resourceVersion: String?
    /// Not sent: the client leaves `metadata.managedFields` out of each object as it parses the answer,
    /// without building it (for a reader that drops the API server's field bookkeeping anyway).
    public var withoutManagedFields = false

    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil, continue: String? = nil,
        resourceVersion: String? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continue = `continue`
        self.resourceVersion = resourceVersion
    }

    var query: [(String, String)] {
        var query: [(String, String)] = []
        if let labelSelector, !labelSelector.isEmpty { query.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { query.append(("fieldSelector", fieldSelector)) }
        if let limit { query.append(("limit", String(limit))) }
        if let token = self.continue, !token.isEmpty { query.append(("continue", token)) }
        if let resourceVersion { query.append(("resourceVersion", resourceVersion)) }
        return query
    }
}

/// Options of a watch request.
public struct WatchOptions: Sendable {
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Start after this resource version; `nil` sends the current objects as `ADDED` first.
    public var resourceVersion: String?
    /// Ask for `BOOKMARK` events (progress markers), on by default.
    public var allowWatchBookmarks: Bool
    /// Ask the server to end the watch after this many seconds.
    public var timeoutSeconds: Int?
    /// Not sent: the client leaves `metadata.managedFields` out of each object as it parses the answer,
    /// without building it (for a reader that drops the API server's field bookkeeping anyway).
    public var withoutManagedFields = false

    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, resourceVersion: String? = nil,
        allowWatchBookmarks: Bool = true, timeoutSeconds: Int? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.allowWatchBookmarks = allowWatchBookmarks
        self.timeoutSeconds = timeoutSeconds
    }

    var query: [(String, String)] {
        var query: [(String, String)] = [("watch", "true")]
        if let labelSelector, !labelSelector.isEmpty { query.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { query.append(("fieldSelector", fieldSelector)) }
        if let resourceVersion { query.append(("resourceVersion", resourceVersion)) }
        if allowWatchBookmarks { query.append(("allowWatchBookmarks", "true")) }
        if let timeoutSeconds { query.append(("timeoutSeconds", String(timeoutSeconds))) }
        return query
    }
}

/// Options of a delete request (`metav1.DeleteOptions`).
public struct DeleteOptions: Sendable {
    /// How dependents are garbage-collected.
    public enum PropagationPolicy: String, Sendable {
        case foreground = "Foreground"
        case background = "Background"
        case orphan = "Orphan"
    }

    public var propagationPolicy: PropagationPolicy?
    /// Delete only if the object still has this UID.
    public var preconditionUID: String?
    /// Delete only if the object still has this resource version.
    public var preconditionResourceVersion: String?
    public var gracePeriodSeconds: Int?

    public init(
        propagationPolicy: PropagationPolicy? = nil, preconditionUID: String? = nil,
        preconditionResourceVersion: String? = nil, gracePeriodSeconds: Int? = nil
    ) {
        self.propagationPolicy = propagationPolicy
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
        self.gracePeriodSeconds = gracePeriodSeconds
    }

    var body: JSONValue {
        var body: JSONValue = ["apiVersion": "v1", "kind": "DeleteOptions"]
        body["propagationPolicy"] = propagationPolicy.map { .string($0.rawValue) }
        body["gracePeriodSeconds"] = gracePeriodSeconds.map { JSONValue.int($0) }
        if preconditionUID != nil || preconditionResourceVersion != nil {
            var preconditions: JSONValue = [:]
            preconditions["uid"] = preconditionUID.map(JSONValue.string)
            preconditions["resourceVersion"] = preconditionResourceVersion.map(JSONValue.string)
            body["preconditions"] = preconditions
        }
        return body
    }
}

/// A patch, in one of the four formats the API server accepts.
public enum Patch: Sendable {
    /// RFC 7386 JSON merge patch (`application/merge-patch+json`).
    case merge(JSONValue)
    /// RFC 6902 JSON patch (`application/json-patch+json`).
    case json([JSONPatchOperation])
    /// Kubernetes strategic merge patch (`application/strategic-merge-patch+json`), built-in kinds only.
    case strategicMerge(JSONValue)
    /// Server-side apply (`application/apply-patch+yaml`) of a full intent, owned by `fieldManager`.
    case apply(JSONValue, fieldManager: String, force: Bool)

    /// The `Content-Type` of the request.
    public var contentType: String {
        switch self {
        case .merge: return "application/merge-patch+json"
        case .json: return "application/json-patch+json"
        case .strategicMerge: return "application/strategic-merge-patch+json"
        case .apply: return "application/apply-patch+yaml"
        }
    }

    var body: JSONValue {
        switch self {
        case .merge(let value), .strategicMerge(let value), .apply(let value, _, _): return value
        case .json(let operations): return .array(operations.map(\.json))
        }
    }

    var query: [(String, String)] {
        guard case .apply(_, let fieldManager, let force) = self else { return [] }
        return [("fieldManager", fieldManager)] + (force ? [("force", "true")] : [])
    }
}

/// One RFC 6902 operation.
public struct JSONPatchOperation: Sendable, Equatable {
    public enum Op: String, Sendable { case add, remove, replace, move, copy, test }

    public var op: Op
    /// A JSON pointer such as `/metadata/finalizers/0`.
    public var path: String
    public var value: JSONValue?
    public var from: String?

    public init(_ op: Op, path: String, value: JSONValue? = nil, from: String? = nil) {
        self.op = op
        self.path = path
        self.value = value
        self.from = from
    }

    public var json: JSONValue {
        var json: JSONValue = ["op": .string(op.rawValue), "path": .string(path)]
        if let value { json["value"] = value }
        if let from { json["from"] = .string(from) }
        return json
    }
}
