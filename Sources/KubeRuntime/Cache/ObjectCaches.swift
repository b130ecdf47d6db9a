import KubeCore

/// The operator's caches by resource, handed to the components that declared them
/// (``WatchedResource``).
///
/// ## Caveats
/// A component asking for a resource it did not declare is a wiring bug, not an input: it stops the
/// process at start-up, before anything is watched.
public struct ObjectCaches: Sendable {
    let caches: [KubeResource: ObjectCache<DynamicObject>]

    public init(_ caches: [KubeResource: ObjectCache<DynamicObject>]) { self.caches = caches }

    /// The cache of a declared resource.
    public subscript(_ resource: KubeResource) -> ObjectCache<DynamicObject> {
        guard let cache = caches[resource] else {
            preconditionFailure("no cache for \(resource): a component must declare every resource it reads")
        }
        return cache
    }
}
