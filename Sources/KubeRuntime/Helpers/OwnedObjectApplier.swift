import KubeClient
import KubeCore

/// Creates and corrects the objects a controller owns, the one way every router and target writes them.
///
/// ## Expected flow
/// A caller gives a *desired-state builder*: a pure function from the live object (`nil` when there is
/// none) to the whole object it should be. The builder starts from the live object and changes only the
/// fields the caller owns, so everything else (fields Serin does not model, other controllers'
/// annotations, `status`) is carried through untouched. The applier then:
/// - **creates** the object, with `owner` as its controlling owner reference, when the cache has none;
/// - **patches** an object `owner` controls with the JSON merge patch from live to desired (nothing when
///   they are equal);
/// - **adopts** an object no controller owns (a user's apex Service, a VirtualService applied by hand):
///   its original is recorded once in ``originalAnnotation`` (all but status and server-set metadata, as
///   compact JSON) so that it can be restored; its metadata stays the user's and no owner
///   reference is added, so deleting the owner never garbage-collects a user's object;
/// - **refuses** an object another controller owns, with ``OwnershipError`` (terminal: waiting does not
///   help).
///
/// Every object it creates, patches or adopts carries ``markers`` among its annotations (a router's applier
/// passes ``fluxMarkers``, so that Flux leaves what Serin routes alone); restoring an adopted object gives back
/// its own annotations, without them.
///
/// ## Caveats
/// Reads come from the cache: a create that finds the object already there (the cache had not seen it)
/// returns ``Outcome/unchanged``, and its watch event reconciles again.
public struct OwnedObjectApplier: Sendable {
    /// What an apply did.
    public enum Outcome: Sendable, Equatable { case created, patched, adopted, unchanged }

    public let client: ResourceClient<JSONValue>
    public let cache: ObjectCache<DynamicObject>
    /// The annotation keeping an adopted object's original (``defaultOriginalAnnotation`` unless told).
    public let originalAnnotation: String
    /// `serin.dev/original-configuration`.
    public static let defaultOriginalAnnotation = "serin.dev/original-configuration"
    /// Annotations every object written carries.
    public let markers: [String: String]
    /// What Flagger writes on every routing object and Service: Flux's kustomize-controller then skips the
    /// object (an adopted apex Service keeps Serin's selector) and helm-controller ignores its drift.
    public static let fluxMarkers = [
        "kustomize.toolkit.fluxcd.io/reconcile": "disabled", "helm.toolkit.fluxcd.io/driftDetection": "disabled",
    ]
    /// The annotation naming the owner of an object that cannot carry an owner reference to it (a
    /// cluster-scoped object of a namespaced owner, which Kubernetes' garbage collector refuses) by the
    /// owner reference's `uid` (an identity the caller chooses: Serin's routers give the Canary's
    /// `<namespace>/<name>`, so that a Canary created again takes its object back). It stands for the
    /// controlling reference; garbage collection does not take such an object.
    public static let ownerAnnotation = "serin.dev/owner"

    public init(
        client: ResourceClient<JSONValue>, cache: ObjectCache<DynamicObject>,
        originalAnnotation: String = OwnedObjectApplier.defaultOriginalAnnotation, markers: [String: String] = [:]
    ) {
        self.client = client
        self.cache = cache
        self.originalAnnotation = originalAnnotation
        self.markers = markers
    }

    /// Creates, patches or adopts `namespace/name` towards `desired(live)`. With `adopting: false` an object
    /// no controller owns is refused (``OwnershipError``) rather than adopted: for objects the owner
    /// deletes, so that a user's object of the same name is never taken over, nor deleted later. An object of
    /// a cluster-scoped resource (`namespace` ignored), or one written to another cluster, names its owner by
    /// ``ownerAnnotation`` instead of an owner reference (``annotatesOwner``).
    @discardableResult
    public func apply(
        namespace: String, name: String, owner: OwnerReference, adopting: Bool = true,
        desired: (_ live: JSONValue?) throws -> JSONValue
    ) async throws -> Outcome {
        guard let live = cache.get(namespace: namespace, name: name)?.json else {
            var object = try desired(nil)
            object[path: "metadata", "name"] = .string(name)
            if client.resource.namespaced { object[path: "metadata", "namespace"] = .string(namespace) }
            if annotatesOwner {
                object[path: "metadata", "annotations", OwnedObjectApplier.ownerAnnotation] = .string(owner.uid)
            } else {
                object[path: "metadata", "ownerReferences"] = [owner.json]
            }
            mark(&object)
            do { try await client.createReadingVersion(object, namespace: namespace) } catch let error as KubeAPIError where error.isAlreadyExists {
                return .unchanged
            }
            return .created
        }
        let controllers = OwnedObjectApplier.controllers(of: live)
        if let other = controllers.first(where: { $0["uid"]?.stringValue != owner.uid }) {
            throw OwnershipError(
                object: "\(client.resource.kind) \(namespace)/\(name)",
                controller: "\(other["kind"]?.stringValue ?? "") \(other["name"]?.stringValue ?? "")")
        }
        if controllers.isEmpty && !adopting {
            throw OwnershipError(object: "\(client.resource.kind) \(namespace)/\(name)", controller: nil)
        }
        var target = try desired(live)
        let adopting = controllers.isEmpty
        if adopting {
            // An adopted object keeps its metadata: only its content (spec) is Serin's to write.
            target["metadata"] = live["metadata"]
            if live[path: "metadata", "annotations", originalAnnotation] == nil {
                target[path: "metadata", "annotations", originalAnnotation] = .string(original(of: live))
            }
        }
        mark(&target)
        guard let patch = live.mergePatch(to: target) else { return .unchanged }
        try await client.patchReadingVersion(name, namespace: namespace, patch: .merge(patch))
        return adopting ? .adopted : .patched
    }

    /// Whether objects name their owner by ``ownerAnnotation``: those of a cluster-scoped resource, and all those
    /// written to another cluster than their owner's (``KubeClient/ClientConfiguration/separateCluster``).
    public var annotatesOwner: Bool { !client.resource.namespaced || client.client.configuration.separateCluster }

    private func mark(_ object: inout JSONValue) {
        for (key, value) in markers.sorted(by: { $0.key < $1.key }) {
            object[path: "metadata", "annotations", key] = .string(value)
        }
    }

    /// Whether `object` is controlled by the owner with `uid` (its controlling owner reference, or ``ownerAnnotation``).
    public static func isControlled(_ object: JSONValue, by uid: String) -> Bool {
        controllers(of: object).contains { $0["uid"]?.stringValue == uid }
    }

    /// The controlling owner references of `object`, with the owner ``ownerAnnotation`` names as one.
    static func controllers(of object: JSONValue) -> [JSONValue] {
        let references = (object[path: "metadata", "ownerReferences"]?.arrayValue ?? []).filter { $0["controller"]?.boolValue == true }
        guard let uid = object[path: "metadata", "annotations", ownerAnnotation]?.stringValue else { return references }
        return references + [["uid": .string(uid), "kind": "owner", "name": .string(uid), "controller": true]]
    }

    /// Deletes `namespace/name` if it exists and `uid` controls it (with that object's uid as a
    /// precondition, so an object recreated meanwhile is not deleted); gone already is done. Returns
    /// whether it sent a delete.
    @discardableResult
    public func deleteOwned(namespace: String, name: String, ownerUID uid: String) async throws -> Bool {
        guard let live = cache.get(namespace: namespace, name: name)?.json, OwnedObjectApplier.isControlled(live, by: uid) else { return false }
        let options = DeleteOptions(propagationPolicy: .background, preconditionUID: live[path: "metadata", "uid"]?.stringValue)
        do { _ = try await client.delete(name, namespace: namespace, options: options) } catch let error as KubeAPIError where error.isNotFound {
            return true
        }
        return true
    }

    /// Gives an adopted object back as it was: its content and its labels and annotations from
    /// ``originalAnnotation`` (which goes). Returns `false`, writing nothing, for an object that was not
    /// adopted (Serin created it: garbage collection takes it with its owner) or that does not exist.
    @discardableResult
    public func restore(namespace: String, name: String) async throws -> Bool {
        guard let live = cache.get(namespace: namespace, name: name)?.json,
            let text = live[path: "metadata", "annotations", originalAnnotation]?.stringValue
        else { return false }
        let original: JSONValue
        do { original = try JSONValue(parsing: text) } catch {
            throw RestoreError(object: "\(client.resource.kind) \(namespace)/\(name)", annotation: originalAnnotation, cause: error)
        }
        var restored = live
        for (key, value) in original.objectValue ?? [:] where !["apiVersion", "kind", "metadata", "status"].contains(key) { restored[key] = value }
        for key in (live.objectValue ?? [:]).keys where original[key] == nil && !["apiVersion", "kind", "metadata", "status"].contains(key) {
            restored[key] = nil
        }
        restored[path: "metadata", "labels"] = original[path: "metadata", "labels"]
        var annotations = original[path: "metadata", "annotations"]?.objectValue ?? [:]
        if let applied = live[path: "metadata", "annotations", CacheTransform.lastAppliedAnnotation] {
            annotations[CacheTransform.lastAppliedAnnotation] = applied
        }
        restored[path: "metadata", "annotations"] = .object(annotations)
        guard let patch = live.mergePatch(to: restored) else { return true }
        try await client.patchReadingVersion(name, namespace: namespace, patch: .merge(patch))
        return true
    }

    /// What restoring an adopted object needs: everything but its `status` and server-set metadata (its
    /// name, namespace, labels and annotations are kept), as compact JSON with sorted keys, so the same
    /// object always records the same text.
    public func original(of live: JSONValue) -> String {
        var original = live
        original["status"] = nil
        original["apiVersion"] = .string(client.resource.apiVersion)
        original["kind"] = .string(client.resource.kind)
        var metadata: JSONValue = [:]
        for key in ["name", "namespace", "labels"] { metadata[key] = live[path: "metadata", key] }
        if var annotations = live[path: "metadata", "annotations"]?.objectValue {
            annotations.removeValue(forKey: originalAnnotation)
            annotations.removeValue(forKey: CacheTransform.lastAppliedAnnotation)
            if !annotations.isEmpty { metadata["annotations"] = .object(annotations) }
        }
        original["metadata"] = metadata
        return String(decoding: original.canonical.serialized(), as: UTF8.self)
    }
}

/// An adopted object's recorded original cannot be read.
public struct RestoreError: Error, Sendable, CustomStringConvertible {
    public var object: String
    public var annotation: String
    public var cause: any Error
    public var description: String { "failed to restore \(object): its annotation \(annotation) is not JSON: \(cause)" }
}

/// An object another controller owns (or, where adopting is not allowed, one nobody controls): Serin does
/// not take it over.
public struct OwnershipError: Error, Sendable, CustomStringConvertible {
    public var object: String
    /// The controller owning it; `nil` for an object without one that may not be adopted.
    public var controller: String?
    public init(object: String, controller: String?) {
        self.object = object
        self.controller = controller
    }
    public var description: String {
        guard let controller else { return "failed to take over \(object): it exists and was not created for this owner; rename or delete it" }
        return "failed to take over \(object): it is controlled by \(controller); delete it or let that owner go"
    }
}
