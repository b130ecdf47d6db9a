import KubeCore

/// Told of every object a client wrote (created, replaced or patched, a subresource included), with the
/// `resourceVersion` the server gave it, so that a controller can tell the watch event of its own write
/// from somebody else's change. Called in the writing task (its task-locals are those of the writer).
public protocol WriteObserver: Sendable {
    func didWrite(_ write: ObjectWrite)
}

/// One successful write, as the server answered it.
public struct ObjectWrite: Sendable, Hashable {
    /// The resource written (for a subresource, its object's resource).
    public var resource: KubeResource
    public var namespace: String?
    public var name: String
    public var resourceVersion: String

    public init(resource: KubeResource, namespace: String?, name: String, resourceVersion: String) {
        self.resource = resource
        self.namespace = namespace
        self.name = name
        self.resourceVersion = resourceVersion
    }
}
