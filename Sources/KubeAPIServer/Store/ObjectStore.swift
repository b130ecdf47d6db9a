import DequeModule
import Foundation
import KubeCore

/// The sandbox's in-memory object storage: what etcd and the API server's registry do for a real cluster.
///
/// ## Guarantees
/// - One global, strictly increasing `resourceVersion`; every write gets the next one.
/// - Writes are serialised (the store is an actor), so a watch started at revision R sees every later change
///   exactly once, in order.
/// - Optimistic concurrency: an update carrying a stale `resourceVersion` fails with 409 Conflict.
/// - `generation` starts at 1 and moves only when `spec` changes; status writes go through the `status`
///   subresource where the kind has one, and never touch `spec` (and vice versa).
///
/// ## Caveats
/// No admission, no defaulting beyond what controllers and kubectl need (see `ObjectDefaults`), no schema
/// validation of custom resources, no conversion between CRD versions (every served version shares one
/// storage), and server-side apply merges without field-ownership conflicts.
public actor ObjectStore {
    struct StoredEvent: Sendable {
        var revision: Int64
        var key: StorageKey
        var type: String  // ADDED, MODIFIED, DELETED
        var object: JSONValue
        var previous: JSONValue?
    }

    var registry: ResourceRegistry
    var collections: [StorageKey: [String: JSONValue]] = [:]
    /// The uids of removed objects (at most ``removedUIDLimit``): an object created later with one of them as
    /// its owner is garbage-collected at once, as Kubernetes' collector deletes a dependent whose owner is gone.
    var removedUIDs: Set<String> = []
    static let removedUIDLimit = 200_000
    var revision: Int64 = 1
    var history: Deque<StoredEvent> = []
    /// Watches may resume from any revision at or after this one; older ones get 410 Gone.
    var oldestResumableRevision: Int64 = 1
    let historyLimit: Int
    var watchers: [Int: WatchSubscription] = [:]
    var nextWatcherID = 0
    let now: @Sendable () -> Date
    /// Called after every committed change, outside the actor's critical section (simulators listen here).
    var observers: [@Sendable (String, ResourceType, JSONValue) -> Void] = []

    /// Whether custom resources are checked against their CRD's schema (``SchemaValidator``).
    let validatesSchemas: Bool

    /// etcd's default `--max-request-bytes` (1.5 MiB): the largest object the sandbox stores.
    public static let defaultMaximumObjectBytes = 1_572_864
    /// The largest object stored, as its JSON (``defaultMaximumObjectBytes``).
    let maximumObjectBytes: Int

    /// - Parameters:
    ///   - historyLimit: how many past changes watches can resume from.
    ///   - validatesSchemas: check custom resources against their CRD's schema, as the API server does; off, the
    ///     store takes what a CRD without a schema (`x-kubernetes-preserve-unknown-fields`) would.
    ///   - maximumObjectBytes: the largest object stored, as JSON; a larger one is refused as etcd refuses it.
    public init(
        types: [ResourceType]? = nil, historyLimit: Int = 10_000, validatesSchemas: Bool = true,
        maximumObjectBytes: Int = ObjectStore.defaultMaximumObjectBytes, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.registry = ResourceRegistry(builtins: types ?? BuiltinResources.all)
        self.historyLimit = historyLimit
        self.validatesSchemas = validatesSchemas
        self.maximumObjectBytes = maximumObjectBytes
        self.now = now
    }

    /// Every type served now.
    public var types: [ResourceType] { registry.types }

    /// The type served as `plural` in `group` (the core group by default), if it is served.
    public func type(plural: String, group: String = "") -> ResourceType? {
        registry.types.first { $0.resource.group == group && $0.resource.plural == plural }
    }

    func registryLookup(group: String, version: String, plural: String) -> ResourceType? {
        registry.lookup(group: group, version: version, plural: plural)
    }

    var registryGroups: [(group: String, versions: [String])] { registry.groups }

    func registryTypes(group: String, version: String) -> [ResourceType] { registry.types(group: group, version: version) }

    /// Registers a listener for committed changes (`ADDED`, `MODIFIED`, `DELETED`).
    public func observe(_ observer: @escaping @Sendable (String, ResourceType, JSONValue) -> Void) {
        observers.append(observer)
    }

    static func objectKey(namespace: String?, name: String) -> String { "\(namespace ?? "")/\(name)" }

    /// Reads one object.
    public func get(_ type: ResourceType, namespace: String?, name: String) throws(APIError) -> JSONValue {
        guard let object = collections[type.storageKey]?[ObjectStore.objectKey(namespace: scoped(type, namespace), name: name)] else {
            throw APIError.notFound(type, name)
        }
        return object
    }

    /// The result of a list: a page of objects, the revision it reflects, and the token of the next page.
    public struct ListPage: Sendable {
        public var items: [JSONValue]
        public var resourceVersion: String
        public var `continue`: String?
        public var remainingItemCount: Int?
    }

    /// Lists objects, sorted by namespace and name, filtered by selectors, in pages of `limit`.
    public func list(
        _ type: ResourceType, namespace: String?, labelSelector: LabelSelectorQuery? = nil,
        fieldSelector: FieldSelector? = nil, limit: Int? = nil, continue token: String? = nil
    ) throws(APIError) -> ListPage {
        let namespace = scoped(type, namespace)
        // A token carries the revision of the list's first page: every page answers with it, so a watch from
        // the list's resourceVersion also delivers what changed in the pages already served (as Kubernetes,
        // whose pages all come from the first page's snapshot).
        var (after, listRevision) = ("", revision)
        if let token, !token.isEmpty {
            guard let data = Data(base64Encoded: token), let decoded = String(data: data, encoding: .utf8) else {
                throw APIError.badRequest("invalid continue token")
            }
            let parts = decoded.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let first = Int64(parts[0]) else { throw APIError.badRequest("invalid continue token") }
            (after, listRevision) = (String(parts[1]), first)
        }
        let prefix = namespace.map { "\($0)/" }
        let keys = (collections[type.storageKey] ?? [:]).keys
            .filter { key in (prefix.map { key.hasPrefix($0) } ?? true) && key > after }
            .sorted()
        var items: [JSONValue] = []
        var lastKey: String?
        var remaining = 0
        for key in keys {
            guard let object = collections[type.storageKey]?[key], matches(object, labelSelector, fieldSelector) else { continue }
            if let limit, limit > 0, items.count >= limit {
                remaining += 1
                continue
            }
            items.append(object)
            lastKey = key
        }
        let next = remaining > 0 ? lastKey.map { Data("\(listRevision)\n\($0)".utf8).base64EncodedString() } : nil
        return ListPage(
            items: items, resourceVersion: String(listRevision), continue: next, remainingItemCount: remaining > 0 ? remaining : nil)
    }

    func matches(_ object: JSONValue, _ labels: LabelSelectorQuery?, _ fields: FieldSelector?) -> Bool {
        if let labels, !labels.matches(DynamicObject(json: object).labels) { return false }
        if let fields, !fields.matches(object) { return false }
        return true
    }

    /// The namespace used for storage: `nil` for cluster-scoped types.
    nonisolated func scoped(_ type: ResourceType, _ namespace: String?) -> String? {
        type.resource.namespaced ? namespace : nil
    }

    func nextRevision() -> Int64 {
        revision += 1
        return revision
    }

    nonisolated func timestamp() -> String { KubeTime(now()).description }

    /// Refuses an object larger than etcd would store, with the error a real API server passes on from etcd
    /// (a 500 without a reason: kube-apiserver does not map it, kubernetes/kubernetes#112152).
    nonisolated func checkSize(_ object: JSONValue) throws(APIError) {
        // The bound needs no allocation; only an object that might be too large is written out to count.
        guard ObjectStore.serializedSizeBound(object) > maximumObjectBytes, object.serialized().count > maximumObjectBytes else { return }
        var status = KubeStatus(code: 500, reason: "", message: "etcdserver: request is too large")
        status.reason = nil
        throw APIError(status: status)
    }

    /// At least as many bytes as `value`'s JSON: every character of a string as if escaped (`\u00XX`, six
    /// bytes), every number at its longest.
    nonisolated static func serializedSizeBound(_ value: JSONValue) -> Int {
        switch value {
        case .null, .bool: return 5
        case .number: return 32
        case .string(let text): return 2 + 6 * text.utf8.count
        case .array(let items): return items.reduce(2 + items.count) { $0 + serializedSizeBound($1) }
        case .object(let members):
            return members.reduce(2 + 2 * members.count) { $0 + 2 + 6 * $1.key.utf8.count + serializedSizeBound($1.value) }
        }
    }
}
